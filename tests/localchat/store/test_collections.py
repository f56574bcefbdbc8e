"""Collections in the store: names, membership, rename, delete (documents of no other go)."""

from __future__ import annotations

import pytest

from localchat.errors import CollectionExistsError, CollectionNotFoundError, InvalidRequestError
from localchat.store.collections import collection_name
from localchat.store.store import Store
from tests.factories import new_chunk, new_document


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    yield store
    store.close()


def write(store: Store, name: str, text: str, collection: str = "default") -> int:
    chunk = new_chunk(text, content_hash=f"h-{name}")
    doc = new_document(f"/docs/{name}", sha256=name)
    return store.write_document(
        doc, [chunk], {}, model="m", layout="1/0", collection=collection
    ).document_id


def test_a_new_library_has_the_default_collection_only(store):
    (info,) = store.list_collections()
    assert (info.name, info.documents, info.chunks) == ("default", 0, 0)
    assert store.resolve_collection(None) == "default"


@pytest.mark.parametrize("raw,canonical", [("Papers", "papers"), (" work-notes ", "work-notes")])
def test_names_are_case_insensitive_and_trimmed(raw, canonical):
    assert collection_name(raw) == canonical


@pytest.mark.parametrize("bad", ["", "-x", "a/b", "a b", "ü", "x" * 65, "a:b", "a@b"])
def test_malformed_names_say_what_a_name_may_hold(bad):
    with pytest.raises(InvalidRequestError) as caught:
        collection_name(bad)
    assert "letters, digits" in caught.value.hint and caught.value.param == "collection"


def test_all_is_reserved_for_the_whole_library(store):
    with pytest.raises(InvalidRequestError, match="reserved"):
        store.create_collection("ALL")
    assert store.resolve_collection("all") == "all"


def test_create_counts_and_membership(store):
    store.create_collection("papers")
    with pytest.raises(CollectionExistsError):
        store.create_collection("Papers")
    a = write(store, "a.txt", "alpha text", "papers")
    b = write(store, "b.txt", "beta text")
    assert store.add_to_collection([b], "papers") == 1
    assert store.add_to_collection([b], "papers") == 0  # already in: nothing changes
    counts = {c.name: (c.documents, c.chunks) for c in store.list_collections()}
    assert counts == {"default": (1, 1), "papers": (2, 2)}
    assert store.collections_of([a, b]) == {a: ["papers"], b: ["default", "papers"]}
    assert sorted(d.id for d in store.list_documents("papers")) == [a, b]


def test_membership_changes_bump_the_corpus_version(store):
    a = write(store, "a.txt", "alpha")
    before = store.corpus_version()
    store.add_to_collection([a], "papers")
    assert store.corpus_version() == before + 1
    store.add_to_collection([a], "papers")
    assert store.corpus_version() == before + 1


def test_reingesting_into_another_collection_keeps_the_first(store):
    a = write(store, "a.txt", "alpha", "papers")
    again = write(store, "a.txt", "alpha changed", "notes")
    assert again == a
    assert store.collections_of([a]) == {a: ["notes", "papers"]}


def test_rename_moves_every_member(store):
    a = write(store, "a.txt", "alpha", "papers")
    store.rename_collection("papers", "articles")
    assert store.collections_of([a]) == {a: ["articles"]}
    with pytest.raises(CollectionNotFoundError) as caught:
        store.resolve_collection("papers")
    assert "articles" in caught.value.hint


@pytest.mark.parametrize("old,new", [("default", "x"), ("papers", "default"), ("all", "x")])
def test_default_and_all_cannot_be_renamed(store, old, new):
    store.create_collection("papers")
    with pytest.raises(InvalidRequestError):
        store.rename_collection(old, new)


def test_rename_onto_an_existing_name_is_refused(store):
    store.create_collection("papers")
    store.create_collection("notes")
    with pytest.raises(CollectionExistsError):
        store.rename_collection("papers", "notes")


def test_delete_removes_only_documents_of_no_other_collection(store):
    only = write(store, "only.txt", "only here", "papers")
    shared = write(store, "shared.txt", "shared text", "papers")
    store.add_to_collection([shared], "default")
    deleted, chunk_ids = store.delete_collection("papers")
    assert deleted == [only] and len(chunk_ids) == 1
    assert [d.id for d in store.list_documents()] == [shared]
    assert store.collections_of([shared]) == {shared: ["default"]}
    assert [c.name for c in store.list_collections()] == ["default"]
    assert store.read("SELECT count(*) FROM chunks WHERE document_id = ?", (only,)) == [(0,)]
    with pytest.raises(CollectionNotFoundError):
        store.delete_collection("papers")


def test_default_cannot_be_deleted(store):
    with pytest.raises(InvalidRequestError, match="cannot be deleted"):
        store.delete_collection("default")


def test_deleting_a_document_drops_its_membership(store):
    a = write(store, "a.txt", "alpha", "papers")
    store.delete_document(a)
    assert store.read("SELECT count(*) FROM collection_documents") == [(0,)]
    assert store.list_collections()[1].documents == 0


def test_chunk_ids_of_a_collection_are_its_serving_chunks(store):
    a = write(store, "a.txt", "alpha", "papers")
    write(store, "b.txt", "beta")
    (serving,) = store.document_chunks(a)
    store.add_layout_chunks(
        a, [new_chunk("alpha re-cut", content_hash="x")], {}, model="m", layout="2/0"
    )
    assert store.collection_chunk_ids("papers").tolist() == [serving.id]
    assert store.covers_library("all") and not store.covers_library("papers")
