"""Rules for the claims about running the model: response time, real-time use, overhead.

Serves notebook 07_claims_audit through :data:`serlib.reporting.claims.rules._KINDS`; these rules read notebook
06's ``latency_ms`` keys (and notebook 04's parameter count) and do not depend on a corpus."""

from __future__ import annotations

from serlib.reporting import metrics_keys as K
from serlib.reporting.claims.measured import _Lookup, _row
from serlib.reporting.claims.reported import Claim
from serlib.reporting.claims.verdicts import NOT_COMPARABLE, NOT_REPRODUCED, REPRODUCED
from serlib.targets import CLAIM_LATENCY_TOLERANCE as LATENCY_TOLERANCE
from serlib.targets import CLAIM_REAL_TIME_FACTOR_MAX as REAL_TIME_FACTOR_MAX


def _latency(c: Claim, lk: _Lookup, corpus, corpora) -> dict:
    fwd = lk.get(K.latency("model_forward_p50"))
    p95 = lk.get(K.latency("model_forward_p95"), required=False)
    keras = lk.get(K.latency("keras_predict_p50"), required=False)
    e2e = lk.get(K.latency("end_to_end_p50"), required=False)
    feats = lk.get(K.latency("features_p50"), required=False)
    runtime = lk.get(K.latency("runtime"), required=False)
    ms = lambda v: f"{v:.2f} ms"  # noqa: E731
    verdict = None
    if fwd is not None:
        verdict = NOT_COMPARABLE
    paper = f"{ms(fwd)} (model forward, median" + (f"; p95 {ms(p95)}" if p95 is not None else "") + ")" \
        if fwd is not None else "not measured (missing latency_ms.model_forward_p50)"
    honest = (f"{ms(e2e)} (audio file -> features -> prediction, median)" if e2e is not None
              else "not measured (missing latency_ms.end_to_end_p50)")
    notes = ["the paper gives neither hardware nor what its response time includes; we time the model alone "
             "(paper's reading) and the whole path from audio (honest reading)",
             "timing does not depend on the training corpus"]
    if fwd is not None:
        within = lambda v: "within" if v <= c.reported * (1 + LATENCY_TOLERANCE) + 1e-12 else "above"  # noqa: E731
        notes.append(f"not comparable because 3.2 ms is undefined; for orientation, our model forward is "
                     f"{within(fwd)} and our end to end is "
                     + (within(e2e) if e2e is not None else "not measured")
                     + f" 3.2 ms x {1 + LATENCY_TOLERANCE:.2f}")
    if keras is not None:
        notes.append(f"Keras model.predict on one utterance: {ms(keras)} median")
    if feats is not None:
        notes.append(f"feature extraction: {ms(feats)} median")
    if runtime:
        notes.append(f"runtime: {runtime}")
    return _row(c, None, paper, honest, verdict, "; ".join(notes))


def _overhead(c: Claim, lk: _Lookup, corpus, corpora) -> dict:
    model_corpus = lk.get(K.latency("corpus"), required=False)
    params = lk.get(K.join("cnn_lstm", model_corpus, "n_parameters")) if model_corpus else lk.get(K.join("cnn_lstm", "n_parameters"))
    fwd = lk.get(K.latency("model_forward_p50"), required=False)
    shipped = lk.get(K.latency("shipped_model", "timeline_peak_rss_mb"), required=False)
    measured = []
    if params is not None:
        measured.append(f"{int(params):,} parameters ({4 * params / 1e6:.2f} MB as float32)")
    flops = lk.get(K.latency("model_cost", "flops"), required=False)
    if flops is not None:
        measured.append(f"{flops / 1e6:.1f} MFLOPs per utterance (analytic count)")
    if fwd is not None:
        measured.append(f"model forward {fwd:.2f} ms median")
    if shipped is not None:
        measured.append(f"shipped model timeline peak memory {shipped:.0f} MB")
    return _row(c, None, "; ".join(measured) if measured else "not measured", "n/a (no protocol dependence)",
                NOT_COMPARABLE if params is not None else None,
                "the paper's Low / Medium / High overhead column is not defined; the paper-architecture CNN-LSTM "
                "of notebook 04 is measured", params, None)


def _real_time(c: Claim, lk: _Lookup, corpus, corpora) -> dict:
    e2e = lk.get(K.latency("end_to_end_p50"))
    clip = lk.get(K.latency("clip_seconds"))
    verdict, honest = None, "not measured"
    if e2e is not None and clip:
        rtf = e2e / (1000.0 * clip)
        verdict = REPRODUCED if rtf < REAL_TIME_FACTOR_MAX else NOT_REPRODUCED
        honest = (f"real-time factor {rtf:.4f} ({e2e:.2f} ms median, audio file -> emotion, for a {clip:g}-s clip; "
                  f"{1 / rtf:,.0f}x faster than real time)")
    return _row(c, None, "n/a: the paper reports no real-time measurement", honest, verdict,
                "batch 1 on this machine's CPU (notebook 06); a real-time factor below 1 means a clip is classified "
                "before the next one has been spoken; streaming with overlapping windows is not tested", None,
                (e2e / (1000.0 * clip)) if e2e is not None and clip else None)
