"""Tests of localchat/watch: watched folders kept in sync with the library."""
