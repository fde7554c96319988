"""What one prediction costs in arithmetic and memory: multiply-accumulates per layer, weights in bytes.

Serves notebook 06_latency_comparison (and the claims audit's "overhead", which the paper leaves undefined).
Counts are analytic, from each layer's configuration and input/output shapes, for one utterance (batch 1):

- Conv1D: output steps x kernel width x input channels x filters;
- Dense: positions x inputs x units;
- LSTM: 4 gates x units x (inputs + units) per time step;
- Bidirectional: both directions; TimeDistributed: its layer once per step of the time axis;
- BatchNormalization / Normalization: one multiply-add per value;
- pooling, activations, dropout, reshapes, SpecAugment (off at inference): 0.

A FLOP count is 2 x MACs (one multiply, one add). Element-wise gate non-linearities are not counted.
"""

from __future__ import annotations

import math

import pandas as pd

_ZERO_COST = ("InputLayer", "Activation", "Dropout", "SpatialDropout1D", "MaxPooling1D", "GlobalAveragePooling1D",
              "GlobalMaxPooling1D", "Reshape", "Cropping1D", "Concatenate", "Flatten")


def _shape(tensor) -> tuple:
    if isinstance(tensor, (list, tuple)) and tensor and not isinstance(tensor[0], (int, type(None))):
        tensor = tensor[0]
    return tuple(getattr(tensor, "shape", tensor) or ())


def _prod(dims) -> int:
    return int(math.prod(int(d) for d in dims if d is not None))


def layer_macs(layer, in_shape: tuple, out_shape: tuple) -> int:
    """Multiply-accumulates of ``layer`` for one example (shapes include the batch axis, which is ignored).

    Raises:
        ValueError: for a layer type with weights that this count does not know (so no cost is silently 0).
    """
    kind = type(layer).__name__
    if kind == "TimeDistributed":
        steps = int(in_shape[1])
        return steps * layer_macs(layer.layer, (None, *in_shape[2:]), (None, *out_shape[2:]))
    if kind == "Bidirectional":
        return layer_macs(layer.forward_layer, in_shape, out_shape) + layer_macs(layer.backward_layer, in_shape,
                                                                              out_shape)
    if kind == "Conv1D":
        groups = getattr(layer, "groups", 1) or 1
        return int(out_shape[1]) * int(layer.kernel_size[0]) * int(in_shape[-1]) // groups * int(layer.filters)
    if kind == "Dense":
        return _prod(out_shape[1:-1] or (1,)) * int(in_shape[-1]) * int(layer.units)
    if kind in ("LSTM", "GRU"):
        gates = 4 if kind == "LSTM" else 3
        return int(in_shape[1]) * gates * int(layer.units) * (int(in_shape[-1]) + int(layer.units))
    if kind in ("BatchNormalization", "Normalization"):
        return _prod(out_shape[1:])
    if kind in _ZERO_COST or not layer.weights:
        return 0
    raise ValueError(f"no cost rule for layer {layer.name!r} of type {kind} (it has weights); add one to "
                     "serlib.deploy.cost.layer_macs")


def layer_costs(model) -> pd.DataFrame:
    """One row per layer of a built Keras model: ``layer, type, output_shape, parameters, macs``."""
    rows = []
    for layer in model.layers:
        try:
            in_shape, out_shape = _shape(layer.input), _shape(layer.output)
        except (AttributeError, ValueError):  # an input layer has no input tensor of its own
            in_shape = out_shape = _shape(getattr(layer, "output", ()))
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        rows.append({"layer": layer.name, "type": type(layer).__name__ + (f"({type(inner).__name__})" if inner else ""),
                     "output_shape": "x".join("batch" if d is None else str(d) for d in out_shape),
                     "parameters": int(layer.count_params()), "macs": layer_macs(layer, in_shape, out_shape)})
    return pd.DataFrame(rows, columns=["layer", "type", "output_shape", "parameters", "macs"])


def model_cost(model) -> dict:
    """Totals for one prediction (batch 1): parameters, float32 weight size, MACs and FLOPs (= 2 x MACs)."""
    costs = layer_costs(model)
    macs = int(costs["macs"].sum())
    n_params = int(model.count_params())
    return {"n_parameters": n_params, "weights_mb_float32": 4 * n_params / 1e6, "macs": macs, "flops": 2 * macs,
            "counted": "analytic per layer (serlib.deploy.cost); batch 1; gate non-linearities not counted"}


def cost_sentence(costs: dict, model_name: str) -> str:
    """One line of :func:`model_cost`'s totals for ``model_name`` (notebook 06)."""
    return (f"{model_name}: {costs['n_parameters']:,} parameters ({costs['weights_mb_float32']:.2f} MB as float32), "
            f"{costs['macs'] / 1e6:.1f} million MACs = {costs['flops'] / 1e6:.1f} MFLOPs per utterance")
