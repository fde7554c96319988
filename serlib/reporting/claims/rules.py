"""One rule per kind of claim: read the measured values from ``metrics.json`` and give a verdict row.

Serves notebook 07_claims_audit through :func:`serlib.reporting.claims.audit.audit_claims`. A missing key never
raises: the row says which key is missing."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from serlib.reporting import metrics_keys as K
from serlib.reporting.claims.deployment_rules import _latency, _overhead, _real_time
from serlib.reporting.claims.measured import (
    _at_least,
    _ci,
    _ci_of,
    _Lookup,
    _pct,
    _row,
    _title,
    _within,
)
from serlib.reporting.claims.reported import Claim, reported_training_report
from serlib.reporting.claims.verdicts import (
    NOT_COMPARABLE,
    NOT_REPRODUCED,
    ORDERING_ONLY,
    REPRODUCED,
    REPRODUCED_WITHOUT_AUGMENTATION,
)
from serlib.targets import CLAIM_CROSS_CORPUS_MAX_DROP as CROSS_CORPUS_MAX_DROP
from serlib.targets import CLAIM_GAN_MIN_GAIN as GAN_MIN_GAIN
from serlib.targets import CLAIM_NOISE_MAX_DROP as NOISE_MAX_DROP
from serlib.targets import CLAIM_SPEAKER_GAP_MAX as SPEAKER_GAP_MAX
from serlib.targets import CLAIM_TOLERANCE as TOLERANCE
from serlib.targets import CLAIM_UNSEEN_SPEAKER_MAX_DROP as UNSEEN_SPEAKER_MAX_DROP
from serlib.targets import FULLY_GROWN_TRAIN_ACCURACY, gain_is_positive


# -- one function per claim kind: (claim, lookup, corpus, corpora) -> row dict ---------------------------------
def _cnn_accuracy(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    paper_key = K.cnn_lstm(corpus, "random_80_20", "accuracy")
    honest_key = K.cnn_lstm(corpus, "speaker_independent", "accuracy")
    paper = lk.get(paper_key)
    honest = lk.get(honest_key, required=False)
    uar = lk.get(K.cnn_lstm(corpus, "speaker_independent", "uar"), required=False)
    ci_p = _ci(_ci_of(lk, K.cnn_lstm(corpus, "random_80_20", "accuracy")))
    ci_h = _ci(_ci_of(lk, K.cnn_lstm(corpus, "speaker_independent", "accuracy")))
    verdict = _at_least(paper, c.reported) if paper is not None else None
    if verdict == REPRODUCED:
        verdict = REPRODUCED_WITHOUT_AUGMENTATION
    notes = ["measured on notebook 04's CNN-LSTM trained without augmentation (the claim credits MFCC + OSW + "
             "augmentation); notebook 03 measures what augmentation adds"]
    n_speakers = lk.get(K.data(corpus, "n_speakers"), required=False)
    if n_speakers is not None:
        notes.append(f"{_title(corpus)} has {int(n_speakers)} speakers, so the random 80/20 split tests on "
                     "voices heard in training")
    if c.corpus is None:
        notes.append("the paper does not say which corpus gave this number (Section 4.iii gives the same 95.75 % "
                     "for a random forest); audited on every corpus of the run")
    else:
        notes.append("paper: 5 emotions of CREMA-D; measured on every emotion of the corpus in the run")
    if paper is not None and honest is not None:
        gap = paper - honest
        notes.append(f"speaker-independent accuracy is {100 * abs(gap):.1f} points "
                     f"{'below' if gap >= 0 else 'above'} the random split's")
    if uar is not None:
        notes.append(f"speaker-independent UAR {_pct(uar)}")
    return _row(c, corpus, (_pct(paper) + ci_p) if paper is not None else f"not measured (missing {paper_key})",
                (_pct(honest) + ci_h) if honest is not None else f"not measured (missing {honest_key})",
                verdict, "; ".join(notes), paper, honest)




def _eg_keys(c: Claim, corpus: str, protocol: str, metric: str) -> str:
    return K.emotion_gender(c.model, corpus, protocol, metric)


def _eg_note(corpus: str) -> str:
    fig5 = reported_training_report("decision_tree")
    n_classes, n_train = len(fig5) - 3, int(fig5.loc["accuracy", "support"])
    return (f"paper: {n_classes} emotion x gender classes, training set of {n_train} samples, whose per-class support "
            "matches 80 % of RAVDESS speech + song (2452 files), although the paper names CREMA-D, IEMOCAP and "
            f"TESS; measured here on {_title(corpus)}" + (" (speech only)" if corpus == "ravdess" else ""))


def _eg_train_accuracy(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    tr = lk.get(_eg_keys(c, corpus, "random_80_20", "train_accuracy"))
    te = lk.get(_eg_keys(c, corpus, "random_80_20", "accuracy"), required=False)
    si = lk.get(_eg_keys(c, corpus, "speaker_independent", "accuracy"), required=False)
    depth = lk.get(K.emotion_gender(c.model, corpus, "random_80_20", "best_params"), required=False)
    notes = [_eg_note(corpus)]
    if te is not None:
        notes.append(f"test accuracy of the same random split: {_pct(te)}")
    notes.append("a tree's training accuracy is set by its depth (a fully grown tree scores 100 %), so 73 % on the "
                 "training set implies a depth-limited tree and says nothing about unseen data; our depth is "
                 "chosen by inner cross-validation" + (f" ({depth})" if depth else ""))
    verdict = _within(tr, c.reported) if tr is not None else None
    if tr is not None and tr >= FULLY_GROWN_TRAIN_ACCURACY:
        verdict = NOT_COMPARABLE
        notes.insert(0, "not comparable: our tree (depth chosen by inner cross-validation) fits its training set "
                        "perfectly, the paper's 73 % training accuracy implies a depth-limited tree whose depth it "
                        "does not give; the two training figures describe different trees")
    return _row(c, corpus,
                f"{_pct(tr)} (training set, random 80/20)" if tr is not None
                else f"not measured (missing {_eg_keys(c, corpus, 'random_80_20', 'train_accuracy')})",
                f"{_pct(si)} (test set, speaker-independent)" if si is not None
                else f"not measured (missing {_eg_keys(c, corpus, 'speaker_independent', 'accuracy')})",
                verdict, "; ".join(notes), tr, si)


def _eg_test_accuracy(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    te = lk.get(_eg_keys(c, corpus, "random_80_20", "accuracy"))
    tr = lk.get(_eg_keys(c, corpus, "random_80_20", "train_accuracy"), required=False)
    si = lk.get(_eg_keys(c, corpus, "speaker_independent", "accuracy"), required=False)
    notes = [_eg_note(corpus),
             "Figure 6 shows 1.00 training accuracy for the forest, so 95.75 % cannot come from Figure 6; we read it "
             "as a test accuracy of the paper's random split"]
    if tr is not None:
        notes.append(f"our forest's training accuracy: {_pct(tr)}")
    return _row(c, corpus,
                f"{_pct(te)} (test set, random 80/20)" if te is not None
                else f"not measured (missing {_eg_keys(c, corpus, 'random_80_20', 'accuracy')})",
                f"{_pct(si)} (test set, speaker-independent)" if si is not None
                else f"not measured (missing {_eg_keys(c, corpus, 'speaker_independent', 'accuracy')})",
                _at_least(te, c.reported) if te is not None else None, "; ".join(notes), te, si)


def _eg_train_prf(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    keys = [_eg_keys(c, corpus, "random_80_20", m) for m in ("train_macro_precision", "train_macro_recall",
                                                             "train_macro_f1")]
    vals = [lk.get(k) for k in keys]
    hon = [lk.get(_eg_keys(c, corpus, "speaker_independent", m), required=False)
           for m in ("macro_precision", "macro_recall", "macro_f1")]
    fmt = lambda v: "P {:.2f} / R {:.2f} / F1 {:.2f}".format(*v)  # noqa: E731
    ok = all(v is not None for v in vals)
    verdict = (REPRODUCED if all(_at_least(v, r) == REPRODUCED for v, r in zip(vals, c.reported)) else NOT_REPRODUCED
               ) if ok else None
    notes = [_eg_note(corpus),
             "a forest of fully grown trees fits its training set almost perfectly by construction: a training-set "
             "report near 1.0 is memorisation, not evidence of recognition"]
    return _row(c, corpus, (fmt(vals) + " (training set macro avg, random 80/20)") if ok
                else f"not measured (missing {', '.join(k for k, v in zip(keys, vals) if v is None)})",
                (fmt(hon) + " (test set macro avg, speaker-independent)") if all(v is not None for v in hon)
                else "not measured (missing speaker-independent macro precision/recall/F1)",
                verdict, "; ".join(notes), vals[2] if ok else None, hon[2], reported_num=c.reported[2])


def _cnn_vs_baseline(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    out = {}
    for proto in ("random_80_20", "speaker_independent"):
        required = proto == "random_80_20"
        a = lk.get(K.cnn_lstm(corpus, proto, "accuracy"), required=required)
        b = lk.get(K.baseline(c.model, corpus, proto, "accuracy"), required=required)
        out[proto] = (a, b)
    (a, b), (ha, hb) = out["random_80_20"], out["speaker_independent"]

    def fmt(x, y, proto):
        if x is not None and y is not None:
            return f"CNN-LSTM {_pct(x)} vs decision tree {_pct(y)} ({100 * (x - y):+.1f} points)"
        keys = ((K.cnn_lstm(corpus, proto, "accuracy"), x), (K.baseline(c.model, corpus, proto, "accuracy"), y))
        return f"not measured (missing {' and '.join(k for k, v in keys if v is None)})"

    verdict = (REPRODUCED if a > b else NOT_REPRODUCED) if a is not None and b is not None else None
    cnn_reported, tree_reported = c.reported
    if verdict == REPRODUCED and (abs(a - cnn_reported) > TOLERANCE or abs(b - tree_reported) > TOLERANCE):
        verdict = ORDERING_ONLY
    notes = [f"reported margin {100 * (cnn_reported - tree_reported):+.1f} points; the paper's "
             f"{100 * cnn_reported:.1f} % for the CNN-LSTM contradicts its own 95.75 % and 98 %",
             "our decision tree uses MFCC statistics with its depth chosen by inner cross-validation"]
    return _row(c, corpus, fmt(a, b, "random_80_20"), fmt(ha, hb, "speaker_independent"), verdict,
                "; ".join(notes), a, ha)


def _cnn_vs_best_baseline(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    from serlib.models.classical import MODELS

    res = {}
    for proto in ("random_80_20", "speaker_independent"):
        required = proto == "random_80_20"
        a = lk.get(K.cnn_lstm(corpus, proto, "accuracy"), required=required)
        base = {m: lk.get(K.baseline(m, corpus, proto, "accuracy"), required=False) for m in MODELS}
        base = {m: v for m, v in base.items() if v is not None}
        res[proto] = (a, base)
    a, base = res["random_80_20"]
    if not base:
        lk.missing.append(f"baselines.*.{corpus}.random_80_20.accuracy")

    def fmt(x, b, proto):
        if x is None or not b:
            return f"not measured (missing CNN-LSTM or baseline accuracy under {proto})"
        m = max(b, key=b.get)
        return f"CNN-LSTM {_pct(x)} vs best baseline {m} {_pct(b[m])} ({100 * (x - b[m]):+.1f} points)"

    verdict = (REPRODUCED if a > max(base.values()) else NOT_REPRODUCED) if a is not None and base else None
    notes = []
    absent = [m for m in MODELS if m not in base]
    if base and absent:
        notes.append(f"baselines not in this run: {', '.join(absent)}")
    notes.append("accuracy (WA) as the paper reports; see notebook 05 for UAR and confidence intervals")
    return _row(c, corpus, fmt(a, base, "random_80_20"), fmt(*res["speaker_independent"], "speaker_independent"),
                verdict, "; ".join(notes), a, res["speaker_independent"][0])


SNR_LEVELS = ("clean", "20", "10", "5", "0")


def _noise(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    vals = {db: lk.get(K.join("cnn_lstm", corpus, "snr", db, "accuracy"), required=db in ("clean", "10")) for db in SNR_LEVELS}
    curve = " -> ".join(f"{'clean' if db == 'clean' else db + ' dB'} {_pct(v)}" for db, v in vals.items() if v is not None)
    clean, ten = vals["clean"], vals["10"]
    verdict = None
    if clean is not None and ten is not None:
        verdict = REPRODUCED if clean - ten <= NOISE_MAX_DROP + 1e-12 else NOT_REPRODUCED
    proto = lk.get(K.cnn_lstm(corpus, "snr", "protocol"), required=False)
    notes = [f"criterion is ours (the paper gives none): accuracy drop from clean to 10 dB SNR <= "
             f"{100 * NOISE_MAX_DROP:.0f} points"]
    if clean is not None and ten is not None:
        notes.append(f"measured drop at 10 dB: {100 * (clean - ten):.1f} points")
    notes.append(f"protocol of the noise test: {proto}" if proto else
                 "noise test as run by notebook 04 (mean over its noise types; see its noise figure)")
    return _row(c, corpus, "n/a: the paper reports no noise experiment",
                curve if curve else "not measured (missing cnn_lstm SNR keys)", verdict, "; ".join(notes),
                None, ten)


def _cross_corpus(c: Claim, lk: _Lookup, pair, corpora) -> dict:
    a, b = pair
    cross = lk.get(K.cnn_lstm(a, f"cross_corpus_to_{b}", "uar"))
    home = lk.get(K.cnn_lstm(b, "speaker_independent", "uar"))
    acc = lk.get(K.cnn_lstm(a, f"cross_corpus_to_{b}", "accuracy"), required=False)
    svm = lk.get(K.baseline("svm_egemaps", a, f"cross_corpus_to_{b}", "uar"), required=False)
    verdict = None
    if cross is not None and home is not None:
        verdict = REPRODUCED if cross >= home - CROSS_CORPUS_MAX_DROP - 1e-12 else NOT_REPRODUCED
    if cross is not None and home is not None:
        honest = (f"UAR {_pct(cross)}" + (f" (accuracy {_pct(acc)})" if acc is not None else "")
                  + f" training on {_title(a)}, testing on {_title(b)}; speaker-independent UAR within "
                  f"{_title(b)}: {_pct(home)}")
    else:
        honest = f"not measured (missing {', '.join(lk.missing)})"
    notes = [f"criterion is ours: cross-corpus UAR at most {100 * CROSS_CORPUS_MAX_DROP:.0f} points below the target "
             "corpus's speaker-independent UAR; cross-corpus uses only the shared emotions, so chance level differs"]
    if svm is not None:
        notes.append(f"eGeMAPS + SVM baseline on the same pair: UAR {_pct(svm)}")
    return _row(c, f"{a} -> {b}", "n/a: the paper reports no cross-corpus experiment", honest, verdict,
                "; ".join(notes), None, cross)


def _gan(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    def pair(proto, required):
        k = K.augmentation(corpus, proto)
        g, n = lk.get(f"{k}.gan.uar_mean", required=required), lk.get(f"{k}.none.uar_mean", required=required)
        gs, ns = lk.get(f"{k}.gan.uar_std", required=False), lk.get(f"{k}.none.uar_std", required=False)
        return g, n, gs or 0.0, ns or 0.0

    pg, pn, pgs, pns = pair("random_80_20", required=False)
    hg, hn, hgs, hns = pair("speaker_independent", required=pg is None or pn is None)
    ci = lk.get(K.augmentation(corpus, "gan_vs_none_uar_ci"), required=False)
    fmt = lambda g, n: f"UAR {_pct(n)} without augmentation -> {_pct(g)} with GAN ({100 * (g - n):+.1f} points)"  # noqa: E731
    paper = fmt(pg, pn) if pg is not None and pn is not None else "not run under the paper's protocol"
    honest = (fmt(hg, hn) + _ci(ci).replace("95 % CI", "95 % CI of the gain")) if hg is not None and hn is not None \
        else "not measured (missing augmentation keys)"
    verdict, notes = None, []
    if pg is not None and pn is not None:
        gain = pg - pn
        verdict = REPRODUCED if gain >= max(GAN_MIN_GAIN, pgs, pns) else NOT_REPRODUCED
        notes.append("rule applied on the paper's protocol: reproduced if the gain is >= 1 point and >= the seed "
                     "std")
    elif hg is not None and hn is not None:
        if isinstance(ci, (list, tuple)) and len(ci) == 2:
            verdict = REPRODUCED if gain_is_positive(ci[0]) else NOT_REPRODUCED
            notes.append("rule applied on the speaker-independent protocol: reproduced if the 95 % CI of the UAR "
                         "gain lies above 0")
        else:
            verdict = REPRODUCED if hg - hn >= max(GAN_MIN_GAIN, hgs, hns) else NOT_REPRODUCED
            notes.append("rule applied on the speaker-independent protocol: reproduced if the gain is >= 1 point "
                         "and >= the seed std (no CI in metrics)")
    notes.append("notebook 03's GAN stands in for CAEmoCyGAN, whose architecture and training the paper does not "
                 "describe; the 'especially for rarer emotions' part is audited as its own claim")
    variants = _gan_variant_gains(lk, corpus)
    if variants:
        notes.append("the verdict reads the unfiltered 'gan' condition; our classifier-filtered variants (picked "
                     "on the test folds, so the best is optimistic): " + ", ".join(variants))
    return _row(c, corpus, paper, honest, verdict, "; ".join(notes), pg, hg)


def _gan_variant_gains(lk: _Lookup, corpus: str) -> list[str]:
    """``"<variant> +d [CI]"`` for every GAN variant other than ``gan`` in the speaker-independent study."""
    variants = lk.get(K.augmentation(corpus, "gan_variants"), required=False)
    out = []
    for name in sorted(variants) if isinstance(variants, Mapping) else ():
        k = K.augmentation(corpus, "speaker_independent", name)
        d = lk.get(f"{k}.diff_vs_none", required=False)
        if name != "gan" and d is not None:
            ci = lk.get(f"{k}.diff_vs_none_ci", required=False)
            out.append(f"{name} {100 * d:+.1f} points" + _ci(ci).replace("95 % CI", "95 % CI of the gain"))
    return out


def _gan_valence(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    diff = lk.get(K.augmentation(corpus, "valence_gan_vs_none_uar", "diff"))
    ci = lk.get(K.augmentation(corpus, "valence_gan_vs_none_uar", "ci"), required=False)
    verdict = None
    honest = "not measured"
    if diff is not None:
        honest = f"valence UAR {100 * diff:+.1f} points with GAN" + _ci(ci).replace("95 % CI", "95 % CI of the gain")
        if isinstance(ci, (list, tuple)) and len(ci) == 2:
            verdict = REPRODUCED if gain_is_positive(ci[0]) else NOT_REPRODUCED
    return _row(c, corpus, "n/a: the paper reports no valence result", honest, verdict,
                "speaker-independent; the CNN-LSTM's emotion predictions grouped by valence "
                "(serlib.experiments.augmentation_statistics.VALENCE), paired with the same model without augmentation", None, diff)


def _gan_rare(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    table = lk.get(K.augmentation(corpus, "recall_change_gan"))
    if not isinstance(table, Mapping) or not table:
        return _row(c, corpus, "n/a: the paper reports no per-class result", "not measured", None, "")
    rows = {e: v for e, v in table.items() if isinstance(v, Mapping) and "change" in v and "n_test" in v}
    fewest = min(v["n_test"] for v in rows.values())
    rare = sorted(e for e, v in rows.items() if v["n_test"] == fewest)
    mean_all = float(np.mean([v["change"] for v in rows.values()]))
    rare_gain = float(np.mean([rows[e]["change"] for e in rare]))
    verdict = REPRODUCED if rare_gain > 0 and rare_gain > mean_all else NOT_REPRODUCED
    honest = (f"recall change of the rarest ({', '.join(rare)}, {fewest} test utterances): {100 * rare_gain:+.1f} "
              f"points; mean over all {len(rows)} emotions {100 * mean_all:+.1f} points")
    notes = ["speaker-independent, mean over seeds, no interval (one class's recall: read it as a description)"]
    if len({v["n_test"] for v in rows.values()}) == 1:
        notes.append("every emotion has the same number of test utterances here, so no emotion is rarer")
        verdict = NOT_COMPARABLE
    return _row(c, corpus, "n/a: the paper reports no per-class result", honest, verdict, "; ".join(notes),
                None, rare_gain)


def _complementary(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    from serlib.experiments.leaderboard.run import ABLATION_CNN_ONLY, ABLATION_LSTM_ONLY

    parts = {}
    for name in (ABLATION_CNN_ONLY, ABLATION_LSTM_ONLY):
        base = K.join("leaderboard_ablation", corpus, name)
        parts[name] = (lk.get(f"{base}.uar_diff"), lk.get(f"{base}.uar_diff_ci_low"),
                       lk.get(f"{base}.uar_diff_ci_high"), lk.get(f"{base}.n_seeds", required=False))
    if lk.missing:
        return _row(c, corpus, "n/a: the paper reports no ablation", f"not measured (missing {', '.join(lk.missing)})",
                    None, "")
    ref = lk.get(K.leaderboard_ablation(corpus, ABLATION_LSTM_ONLY, "uar_reference"), required=False)
    honest = "; ".join(f"{name}: UAR {100 * d:+.1f} points [95 % CI {100 * lo:+.1f} to {100 * hi:+.1f}]"
                       + (f", {int(n)} seed(s)" if n is not None else "") for name, (d, lo, hi, n) in parts.items())
    hurts = {name: hi < 0 for name, (d, lo, hi, n) in parts.items()}
    verdict = REPRODUCED if all(hurts.values()) else NOT_REPRODUCED
    notes = ["speaker-independent, the strong CNN-BiLSTM of notebook 04 as the hybrid"
             + (f" (UAR {_pct(ref)})" if ref is not None else "")]
    for name, ok in hurts.items():
        notes.append(f"{name}: {'significantly worse than the hybrid' if ok else 'not significantly worse'}")
    single = [name for name, (d, lo, hi, n) in parts.items() if n is not None and n < 2]
    if single:
        notes.append(f"{', '.join(single)}: one seed, so its interval holds no seed variation and may be too narrow")
    return _row(c, corpus, "n/a: the paper reports no ablation", honest, verdict, "; ".join(notes), None,
                min(d for d, *_ in parts.values()))


def _eg_unseen_data(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    tr = lk.get(_eg_keys(c, corpus, "random_80_20", "train_accuracy"))
    te = lk.get(_eg_keys(c, corpus, "random_80_20", "accuracy"), required=False)
    si = lk.get(_eg_keys(c, corpus, "speaker_independent", "accuracy"))
    verdict = None
    if tr is not None and si is not None:
        verdict = REPRODUCED if tr - si <= UNSEEN_SPEAKER_MAX_DROP + 1e-12 else NOT_REPRODUCED
    notes = [_eg_note(corpus), "criterion is ours: training accuracy (what the paper reads) against accuracy on "
                               "speakers never heard in training"]
    if tr is not None and si is not None:
        notes.append(f"drop from training set to unseen speakers: {100 * (tr - si):.1f} points")
    if te is not None:
        notes.append(f"random-split test accuracy (unseen utterances of the training speakers): {_pct(te)}")
    return _row(c, corpus, f"{_pct(tr)} (training set, random 80/20)" if tr is not None else "not measured",
                f"{_pct(si)} (unseen speakers)" if si is not None else "not measured", verdict, "; ".join(notes),
                tr, si)


def _corpus_evaluated(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    paper = lk.get(K.cnn_lstm(corpus, "random_80_20", "accuracy"))
    honest = lk.get(K.cnn_lstm(corpus, "speaker_independent", "uar"), required=False)
    return _row(c, corpus, f"{_pct(paper)} accuracy (random 80/20)" if paper is not None else "not measured",
                f"UAR {_pct(honest)} (speaker-independent)" if honest is not None else "not measured",
                NOT_COMPARABLE if paper is not None else None,
                "the paper names the corpus but reports no number for it", paper, honest)


def _vs_literature(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    from serlib.reporting.literature import TABLE_1

    others = [r for r in TABLE_1 if r["approach"] != "Proposed Method"]
    best = max(others, key=lambda r: r["accuracy_pct"])
    fastest = min(others, key=lambda r: r["response_time_ms"])
    paper = lk.get(K.cnn_lstm(corpus, "random_80_20", "accuracy"))
    honest = lk.get(K.cnn_lstm(corpus, "speaker_independent", "accuracy"), required=False)
    e2e = lk.get(K.latency("end_to_end_p50"), required=False)
    notes = [f"best other accuracy in Table 1 (reported): {best['approach']} {best['accuracy_pct']:.1f} %; fastest "
             f"(reported): {fastest['approach']} {fastest['response_time_ms']:.1f} ms",
             "Table 1 gives no corpus, protocol or hardware for these rows, so no measured value can be ranked "
             "against them"]
    if e2e is not None:
        notes.append(f"our end-to-end time (measured here): {e2e:.2f} ms")
    return _row(c, corpus, f"{_pct(paper)} accuracy (random 80/20)" if paper is not None else "not measured",
                f"{_pct(honest)} accuracy (speaker-independent)" if honest is not None else "not measured",
                NOT_COMPARABLE if paper is not None else None, "; ".join(notes), paper, honest)




def _eg_forest_vs_tree(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    def pair(proto, required):
        return tuple(lk.get(K.emotion_gender(m, corpus, proto, "accuracy"), required=required)
                     for m in ("random_forest", "decision_tree"))

    (rf, dt), (hrf, hdt) = pair("random_80_20", True), pair("speaker_independent", False)
    fmt = lambda f, t, proto: (f"forest {_pct(f)} vs tree {_pct(t)} ({100 * (f - t):+.1f} points, test set, "  # noqa: E731
                               f"{proto})" if f is not None and t is not None else "not measured")
    verdict = None
    if rf is not None and dt is not None:
        verdict = REPRODUCED if rf > dt else NOT_REPRODUCED
        if verdict == REPRODUCED and (abs(rf - c.reported[0]) > TOLERANCE or abs(dt - c.reported[1]) > TOLERANCE):
            verdict = ORDERING_ONLY
    notes = [_eg_note(corpus), "the paper's 73 % is the tree's training-set accuracy (Figure 5) and its 95.75 % is "
             "not shown in Figure 6 (1.00 there); we compare test accuracies of the same split, the only reading "
             "under which the two models are compared fairly"]
    return _row(c, corpus, fmt(rf, dt, "random 80/20"), fmt(hrf, hdt, "speaker-independent"), verdict,
                "; ".join(notes), rf, hrf)


def _speaker_gap(c: Claim, lk: _Lookup, corpus: str, corpora) -> dict:
    paper = lk.get(K.cnn_lstm(corpus, "random_80_20", "accuracy"))
    honest = lk.get(K.cnn_lstm(corpus, "speaker_independent", "accuracy"))
    n_speakers = lk.get(K.data(corpus, "n_speakers"), required=False)
    verdict, notes = None, []
    if paper is not None and honest is not None:
        gap = paper - honest
        verdict = REPRODUCED if gap <= SPEAKER_GAP_MAX + 1e-12 else NOT_REPRODUCED
        notes.append(f"accuracy drop from heard to unheard speakers: {100 * gap:.1f} points")
        if verdict == REPRODUCED and paper < 0.6:
            notes.append("a small drop at low accuracy can mean the model learned little of either the speakers or "
                         "the emotions; read it with the accuracies")
    if n_speakers is not None:
        notes.append(f"{_title(corpus)} has {int(n_speakers)} speakers")
    notes.append("measured on notebook 04's paper-architecture CNN-LSTM without augmentation; notebook 03 measures "
                 "what the GAN adds on unheard speakers")
    return _row(c, corpus, f"{_pct(paper)} accuracy (random 80/20: test speakers heard in training)"
                if paper is not None else "not measured",
                f"{_pct(honest)} accuracy (speaker-independent)" if honest is not None else "not measured",
                verdict, "; ".join(notes), paper, honest)




_KINDS = {"cnn_accuracy": _cnn_accuracy, "latency": _latency, "eg_train_accuracy": _eg_train_accuracy,
          "eg_test_accuracy": _eg_test_accuracy, "eg_train_prf": _eg_train_prf, "cnn_vs_baseline": _cnn_vs_baseline,
          "cnn_vs_best_baseline": _cnn_vs_best_baseline, "noise": _noise, "cross_corpus": _cross_corpus, "gan": _gan,
          "complementary": _complementary, "gan_valence": _gan_valence, "gan_rare": _gan_rare, "eg_unseen_data": _eg_unseen_data, "corpus_evaluated": _corpus_evaluated,
          "vs_literature": _vs_literature, "overhead": _overhead, "eg_forest_vs_tree": _eg_forest_vs_tree,
          "speaker_gap": _speaker_gap, "real_time": _real_time}
