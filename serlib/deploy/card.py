"""The shipped model's card: what it is, what it was trained on, how well it does, and what it must not be used for.

Serves ``serlib info``, ``serlib train`` (which writes ``MODEL_CARD.md`` next to the model) and the README.
Every number is read from the model's metadata (``model.json``), which :mod:`serlib.deploy.train` fills from the
runs it made; nothing is typed here.
"""

from __future__ import annotations

from serlib.reporting.formatting import pct as _pct

PROTOCOL_TEXT = {
    "speaker_independent": "speaker-independent (no test speaker heard in training or used for any choice)",
}


def _protocol(p: str) -> str:
    if p.startswith("cross_corpus_to_"):
        return f"cross-corpus (tested on {p.removeprefix('cross_corpus_to_')}, shared emotions only)"
    return PROTOCOL_TEXT.get(p, p)


def estimates_table(meta: dict) -> str:
    """Markdown table of the design's measured estimates (one row per normalisation, corpus and protocol)."""
    rows = meta.get("estimates") or []
    if not rows:
        return "_No estimates: the model was trained with `--no-evaluate`._\n"
    out = ["| normalisation | trained on | protocol | UAR | 95 % CI (seeds x speakers) | WA | seeds | chance |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['normalization']} | {r['corpus']} | {_protocol(r['protocol'])} | {_pct(r['uar'])} | "
                   f"{_pct(r['uar_ci_low'])} - {_pct(r['uar_ci_high'])} | {_pct(r['wa'])} | {int(r['n_seeds'])} | "
                   f"{_pct(1 / len(r['labels']))} |")
    return "\n".join(out) + "\n"


def render_card(meta: dict) -> str:
    """The model card (markdown) of a shipped model's metadata."""
    from serlib.data.corpora.download import CORPUS_LICENCES

    data = meta.get("training_data", {})
    corpora = ", ".join(f"{c} ({d['n_files']} files, {d['n_speakers']} speakers)" for c, d in data.items())
    licences = "\n".join(f"- **{c}**: {CORPUS_LICENCES.get(c, 'unknown licence')}" for c in data)
    fe = meta["frontend"]
    norms = meta.get("normalizations", {})
    norm_lines = []
    for mode, info in norms.items():
        how = ("each file's mean log-mel level is subtracted (works on a single file)" if mode == "file" else
               "each band is z-normalised with the mean/std over *all* the given recordings, which must be one "
               "speaker's (`serlib predict --speaker-folder DIR`)")
        norm_lines.append(f"- `{mode}` (`{info['file']}`, {info['n_parameters']:,} parameters, "
                          f"{info['bytes'] / 1e6:.2f} MB): {how}.")
    est = meta.get("estimates") or []
    best = max(est, key=lambda r: r["uar"]) if est else None
    return f"""# Model card: serlib shipped emotion classifier (`{meta['design']}`)

Speech emotion recognition from one utterance of acted English speech. Trained by `serlib train` from commit
`{meta.get('git_commit', 'unknown')}` on {meta.get('created_utc', '?')}; training took {meta.get('training_seconds', 0) / 60:.0f} minutes on this machine.

## Use

- **Intended**: research and teaching, non-commercial (the training corpora's licences require it); a baseline
  to compare against; a demonstration of what speaker-independent evaluation means.
- **Out of scope**: any decision about a person (health, hiring, policing, education, credit); commercial
  products; spontaneous or non-English speech without your own evaluation; children's voices.
- The model recognises *portrayed* emotion in studio recordings of actors. A prediction is not a measurement
  of anyone's feelings.

## Training data and licences

{corpora}. All files that passed the audio checks were used; {len(meta.get('skipped_files', []))} were skipped.

{licences}

Because of these licences (non-commercial; TESS: no derivatives), the model is for non-commercial research
and teaching only.

## Classes

{', '.join(meta['labels'])} ({len(meta['labels'])} classes; `calm` exists only in RAVDESS).

## Model and features

- Features: {fe['n_mels']} log-mel bands, {fe['win_length'] / fe['sample_rate'] * 1000:.0f} ms Hann windows every
  {fe['hop_length'] / fe['sample_rate'] * 1000:.0f} ms at {fe['sample_rate'] // 1000} kHz, silence trimmed at {fe['trim_db']} dB;
  computed by `serlib.deploy.frontend` in numpy, the same code in training and inference.
- Network: the strong whole-utterance CNN-BiLSTM of notebook 04 (3 convolution blocks, BiLSTM, attention and
  statistics pooling), input {meta['input']['max_frames']} frames (longer speech: centre crop; shorter: repeated).
- Runtime: ONNX Runtime; `serlib predict` imports numpy, soundfile, soxr and onnxruntime only.

Normalisations:

{chr(10).join(norm_lines)}

## How well it does (measured here)

Estimates of the same design trained on *one* corpus and tested on held-out speakers of that corpus or on the
other corpus (the shipped model is trained on all of them, so on a new speaker of these corpora it should do at
least as well; on other speech, expect the cross-corpus rows or worse). UAR = unweighted average recall.

{estimates_table(meta)}
{('Best row: ' + best['normalization'] + ', ' + best['corpus'] + ', ' + _protocol(best['protocol']) + ': UAR ' + _pct(best['uar']) + '.') if best else ''}

## Known failure modes

- Acted, read sentences only (RAVDESS: two sentences; TESS: "Say the word ..."): spontaneous speech is different.
- English only, North-American speakers.
- TESS has two female speakers (aged 26 and 64), so female voices dominate the training data.
- Cross-corpus accuracy is far below within-corpus accuracy: recording conditions and speakers change the
  features more than emotions do.
- `calm` vs `neutral` and `fearful` vs `surprised` are often confused.
- Without speaker normalisation a new speaker's voice shifts the predictions; give a folder of one speaker's
  recordings to `--speaker-folder` when you have one.
"""
