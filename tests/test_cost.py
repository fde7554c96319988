"""Analytic cost of one prediction (serlib.deploy.cost, notebook 06): counts checked by hand on a small model."""

import numpy as np
import pytest

from serlib.deploy.cost import cost_sentence, layer_costs, model_cost


def test_macs_of_a_small_conv_lstm_model_match_a_hand_count():
    keras = pytest.importorskip("keras")
    from keras import layers

    inp = keras.Input((5, 10, 3))  # 5 windows of 10 frames x 3 features
    x = layers.TimeDistributed(layers.Conv1D(4, 3, padding="same"))(inp)  # 5 x 10 x 4
    x = layers.TimeDistributed(layers.BatchNormalization())(x)
    x = layers.TimeDistributed(layers.GlobalAveragePooling1D())(x)  # 5 x 4
    x = layers.Bidirectional(layers.LSTM(6))(x)  # 12
    out = layers.Dense(2)(x)
    model = keras.Model(inp, out)
    table = layer_costs(model).set_index("type")
    assert table.loc["TimeDistributed(Conv1D)", "macs"] == 5 * 10 * 3 * 3 * 4
    assert table.loc["TimeDistributed(BatchNormalization)", "macs"] == 5 * 10 * 4
    assert table.loc["Bidirectional(LSTM)", "macs"] == 2 * 5 * 4 * 6 * (4 + 6)
    assert table.loc["Dense", "macs"] == 12 * 2
    total = model_cost(model)
    assert total["macs"] == table["macs"].sum() and total["flops"] == 2 * total["macs"]
    assert total["n_parameters"] == model.count_params()
    assert total["weights_mb_float32"] == pytest.approx(4 * model.count_params() / 1e6)
    line = cost_sentence(total, "tiny")
    assert line.startswith(f"tiny: {model.count_params():,} parameters") and f"{total['macs'] / 1e6:.1f} million MACs" in line


def test_a_layer_with_weights_and_no_rule_is_an_error_not_a_zero():
    keras = pytest.importorskip("keras")
    from keras import layers

    inp = keras.Input((8, 3))
    model = keras.Model(inp, layers.Conv1DTranspose(2, 3)(inp))
    with pytest.raises(ValueError, match="no cost rule .* Conv1DTranspose"):
        layer_costs(model)
    assert np.isfinite(model.count_params())
