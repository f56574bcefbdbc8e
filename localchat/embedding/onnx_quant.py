"""int8 linear layers that keep MiniLM's accuracy: per-token activations, per-channel weights.

ONNX Runtime's stock dynamic quantisation scales a whole batch's activations with one number,
so a few outlier tokens (BERT has them, the GELU output most of all) crush every other token's
resolution: cosine to sentence-transformers drops to 0.88 (per-channel weights: 0.98). Here
each linear layer `x @ W` becomes

    s_x = max|x| per token / 127         s_w = max|W| per output column / 127
    y   = (MatMulInteger(round(x / s_x) + 128, round(W / s_w), 128) as float) * s_x * s_w

so every token gets its own scale (an outlier token no longer costs the others anything) and
the matrix product runs in ONNX Runtime's u8 x s8 integer kernels (VNNI where the CPU has it).
Which layers are converted is a parameter: the most sensitive ones can stay in float32.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from localchat.embedding.onnx_export import LINEARS, linear_node_name

ZERO_POINT = 128  # u8 activations centred on 128: symmetric int8 values shifted into 0..255


def all_linears(layers: int) -> list[str]:
    """Names of every linear MatMul node of a `layers`-block encoder."""
    return [linear_node_name(layer, linear) for layer in range(layers) for linear in LINEARS]


def quantise_linears(model, nodes: Collection[str]):
    """A copy of `model` with the named linear MatMul nodes replaced by int8 sub-graphs."""
    import onnx
    from onnx import numpy_helper

    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    weights = {init.name: init for init in graph.initializer}
    wanted = set(nodes)
    unknown = wanted - {node.name for node in graph.node}
    if unknown:
        raise ValueError(f"no such linear nodes: {sorted(unknown)}")
    new_nodes = []
    shared = _shared_constants(graph)
    for node in graph.node:
        if node.name not in wanted:
            new_nodes.append(node)
            continue
        source, weight_name = node.input
        weight = numpy_helper.to_array(weights[weight_name])
        new_nodes += _int8_linear(graph, node.name, source, weight, node.output[0], shared)
        graph.initializer.remove(weights[weight_name])
    del graph.node[:]
    graph.node.extend(new_nodes)
    onnx.checker.check_model(out)
    return out


def _shared_constants(graph) -> dict[str, str]:
    from onnx import numpy_helper

    values = {
        "q.inv127": np.float32(1.0 / 127.0),
        "q.tiny": np.float32(1e-12),
        "q.zp_f": np.float32(ZERO_POINT),
        "q.lo": np.float32(0.0),
        "q.hi": np.float32(255.0),
        "q.zp": np.uint8(ZERO_POINT),
    }
    for name, value in values.items():
        graph.initializer.append(numpy_helper.from_array(np.asarray(value), name))
    return {name.removeprefix("q."): name for name in values}


def _int8_linear(graph, name: str, source: str, weight: np.ndarray, output: str, c: dict):
    """Nodes computing `source @ weight` (weight K x N float32) with int8 arithmetic."""
    from onnx import TensorProto, helper, numpy_helper

    column_scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0
    quantised = np.clip(np.round(weight / column_scale), -127, 127).astype(np.int8)
    graph.initializer.append(numpy_helper.from_array(quantised, f"{name}.wq"))
    graph.initializer.append(numpy_helper.from_array(column_scale.astype(np.float32), f"{name}.ws"))

    def make(op: str, inputs: list[str], suffix: str, **attrs):
        return helper.make_node(op, inputs, [f"{name}.{suffix}"], name=f"{name}.{suffix}", **attrs)

    return [
        make("Abs", [source], "abs"),
        make("ReduceMax", [f"{name}.abs"], "amax", axes=[-1], keepdims=1),
        make("Max", [f"{name}.amax", c["tiny"]], "amax_safe"),
        make("Mul", [f"{name}.amax_safe", c["inv127"]], "xs"),
        make("Div", [source, f"{name}.xs"], "xd"),
        make("Round", [f"{name}.xd"], "xr"),
        make("Add", [f"{name}.xr", c["zp_f"]], "xz"),
        make("Clip", [f"{name}.xz", c["lo"], c["hi"]], "xc"),
        make("Cast", [f"{name}.xc"], "xq", to=TensorProto.UINT8),
        make("MatMulInteger", [f"{name}.xq", f"{name}.wq", c["zp"]], "yi"),
        make("Cast", [f"{name}.yi"], "yf", to=TensorProto.FLOAT),
        # Column scales first: ONNX Runtime fuses MatMulInteger -> Cast -> Mul(constant) into
        # one kernel, and that fusion mishandles a per-token scale (cosine 0.58), so the
        # token scales are applied by a separate Mul after it.
        make("Mul", [f"{name}.yf", f"{name}.ws"], "yw"),
        helper.make_node("Mul", [f"{name}.yw", f"{name}.xs"], [output], name=f"{name}.y"),
    ]


# Measured on this model (docs/benchmarks.md): the value projections and the feed-forward
# output (which reads the GELU output, the widest-ranging activations) lose the most when
# converted, so they stay float32; every other linear layer runs in int8.
SENSITIVE = ("v", "ffn_down")


def default_int8_nodes(layers: int) -> list[str]:
    return [name for name in all_linears(layers) if name.split(".")[1] not in SENSITIVE]


def activation_ranges(model, token_lists, nodes: Collection[str]) -> dict[str, np.ndarray]:
    """Per-channel max |x| of each named linear layer's input over calibration sequences."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    by_name = {node.name: node for node in probe.graph.node}
    inputs = sorted({by_name[name].input[0] for name in nodes})
    for name in inputs:
        probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        probe.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    ranges: dict[str, np.ndarray] = {}
    for tokens in token_lists:
        ids = np.asarray([tokens], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        for name, value in zip(inputs, session.run(inputs, feeds), strict=True):
            peak = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            ranges[name] = np.maximum(ranges.get(name, 0.0), peak)
    return ranges


def smooth_linears(model, ranges: dict[str, np.ndarray], nodes: Collection[str], alpha=0.5):
    """SmoothQuant: move activation outliers into the weights before int8 conversion.

    For input channel j, s_j = max|x_j|^alpha / max|W_j|^(1-alpha); x_j is divided by s_j
    (one Mul) and row j of W multiplied by it, so the product is unchanged in exact
    arithmetic while both factors get an even range. Measured: min cosine of the all-int8
    model 0.9907 -> 0.9963.
    """
    import onnx
    from onnx import helper, numpy_helper

    out = onnx.ModelProto()
    out.CopyFrom(model)
    weights = {init.name: init for init in out.graph.initializer}
    wanted = set(nodes)
    inserted = {}
    for node in out.graph.node:
        if node.name not in wanted:
            continue
        source, weight_name = node.input
        weight = numpy_helper.to_array(weights[weight_name])
        act = np.maximum(ranges[source], 1e-5)
        scale = act**alpha / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - alpha)
        scale = scale.astype(np.float32)
        weights[weight_name].CopyFrom(
            numpy_helper.from_array((weight * scale[:, None]).astype(np.float32), weight_name)
        )
        out.graph.initializer.append(numpy_helper.from_array(1.0 / scale, f"{node.name}.sm"))
        smoothed = f"{node.name}.smoothed"
        inserted[node.name] = helper.make_node(
            "Mul", [source, f"{node.name}.sm"], [smoothed], name=smoothed
        )
        node.input[0] = smoothed
    ordered = []
    for node in out.graph.node:
        if node.name in inserted:
            ordered.append(inserted[node.name])
        ordered.append(node)
    del out.graph.node[:]
    out.graph.node.extend(ordered)
    return out
