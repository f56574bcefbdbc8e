"""Embedders: the Embedder protocol and its engines (llama.cpp, ONNX Runtime fp32/int8, an
upstream server, the hash fake), and the per-machine choice of the fastest accurate one."""
