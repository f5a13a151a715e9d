"""The int8 graph of the onnx encoder: how the float32 export is quantised, and why so.

``onnxruntime.quantization.quantize_dynamic`` quantises each weight MatMul's
input with one scale for the whole batch. In all-MiniLM-L6-v2 the [CLS] token
carries activations 3–7 times larger than any other token's (27.7 against at most
10 entering the feed-forward layers), so that one row sets the scale and every
other token is rounded 3–7 times more coarsely: vectors at cosine 0.994 to
float32, dbpedia nDCG@10 0.510 → 0.500. Each weight MatMul here runs twice, on
the [CLS] rows and on the rest, each quantised with its own scale: cosine 0.998,
nDCG@10 within 0.002 of float32 on msmarco and dbpedia, at the same speed (the
[CLS] half is one row a text). Per-token scales built from plain operators come
as close at 70% of the speed (they are not fused), and SmoothQuant's per-channel
scales make it worse (the outlier is a token, not a channel); docs/relevance.md
has the figures.
"""

from __future__ import annotations

import functools
from pathlib import Path

RECIPE = "s8 per channel, [CLS] apart"  # changes whenever the int8 vectors would


def quantization(flags: str) -> tuple[str, bool]:
    """(label, reduce_range) for a CPU with these /proc/cpuinfo flags: 7-bit weights on AVX2 or AVX-512 without
    VNNI, where onnxruntime multiplies u8 by s8 with VPMADDUBSW, whose 16-bit sums can saturate with full-range
    weights (its documentation advises reduce_range there); full 8-bit with VNNI or on other CPUs."""
    words = set(flags.split())
    if words & {"avx512_vnni", "avx_vnni"}:
        return f"{RECIPE}, vnni", False
    if words & {"avx2", "avx512f"}:
        return f"{RECIPE}, 7-bit (no vnni)", True
    return RECIPE, False


@functools.cache
def this_cpu() -> tuple[str, bool]:
    """``quantization`` for the CPU this process runs on."""
    try:
        return quantization(Path("/proc/cpuinfo").read_text())
    except OSError:
        return quantization("")


def quantised(exported: Path) -> Path:
    """``exported`` with its weight MatMuls in int8, [CLS] apart, written beside it; the embeddings stay float32
    (a table look-up: nothing to gain, some precision to lose)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    split, shaped, result = (exported.with_name(name) for name in ("split.onnx", "shaped.onnx", "int8.onnx"))
    model = onnx.load(str(exported))
    cls_apart(model)
    onnx.save(model, str(split))
    # shapes inferred, graph left as is; also keeps quantize_dynamic from logging to the root logger
    quant_pre_process(split, shaped, skip_optimization=True, skip_symbolic_shape=True)
    quantize_dynamic(shaped, result, per_channel=True, reduce_range=this_cpu()[1], weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"])
    return result


def cls_apart(model) -> None:
    """Rewrite each MatMul by a weight of ``model`` (an onnx ModelProto, [batch, tokens, width] activations), and
    the Add of its bias, as one on token 0 and one on tokens 1…, concatenated: the same function, two
    quantisation scales, and the bias still fused into each quantised MatMul."""
    from onnx import helper, numpy_helper
    import numpy as np

    graph = model.graph
    weights = {tensor.name for tensor in graph.initializer}
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    graph.initializer.extend(numpy_helper.from_array(np.array([value], np.int64), name)
                             for name, value in (("cls.first", 0), ("cls.second", 1), ("cls.end", 2**62)))
    nodes, split, biased = [], set(), set()
    for node in graph.node:
        if node.name in biased:
            continue  # rewritten with its MatMul
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        tokens, out = node.input[0], node.output[0]
        if tokens not in split:  # the query, key and value projections share their input
            split.add(tokens)
            nodes += [helper.make_node("Slice", [tokens, "cls.first", "cls.second", "cls.second"], [f"{tokens}.cls"]),
                      helper.make_node("Slice", [tokens, "cls.second", "cls.end", "cls.second"], [f"{tokens}.rest"])]
        bias = readers.get(out, [])  # the Add of a bias, when it alone reads the product
        if not (len(bias) == 1 and bias[0].op_type == "Add" and set(bias[0].input) - {out} <= weights):
            bias = [None]
        bias = bias[0]
        for part in ("cls", "rest"):
            nodes.append(helper.make_node("MatMul", [f"{tokens}.{part}", node.input[1]], [f"{out}.{part}"],
                                          name=f"{node.name}.{part}"))
            if bias is not None:
                nodes.append(helper.make_node("Add", [f"{name}.{part}" if name == out else name for name in bias.input],
                                              [f"{bias.output[0]}.{part}"], name=f"{bias.name}.{part}"))
        if bias is not None:
            biased.add(bias.name)
            out = bias.output[0]
        nodes.append(helper.make_node("Concat", [f"{out}.cls", f"{out}.rest"], [out], axis=1))
    del graph.node[:]
    graph.node.extend(nodes)
