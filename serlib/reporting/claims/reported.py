"""The paper's claims and reported values, each with where in the paper it comes from.

Serves notebooks 05 (Figures 5-6 reports) and 07. The only numbers typed in by hand in the project, all
*reported*; nothing here is measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from serlib.targets import CLAIM_CROSS_CORPUS_MAX_DROP as CROSS_CORPUS_MAX_DROP
from serlib.targets import CLAIM_GAN_MIN_GAIN as GAN_MIN_GAIN
from serlib.targets import CLAIM_LATENCY_TOLERANCE as LATENCY_TOLERANCE
from serlib.targets import CLAIM_NOISE_MAX_DROP as NOISE_MAX_DROP
from serlib.targets import CLAIM_REAL_TIME_FACTOR_MAX as REAL_TIME_FACTOR_MAX
from serlib.targets import CLAIM_SPEAKER_GAP_MAX as SPEAKER_GAP_MAX
from serlib.targets import CLAIM_TOLERANCE as TOLERANCE
from serlib.targets import CLAIM_UNSEEN_SPEAKER_MAX_DROP as UNSEEN_SPEAKER_MAX_DROP

#: The paper's datasets (Sections 1, 3, 4.i).
PAPER_DATASETS = ("crema-d", "iemocap", "tess")


# ------------------------------------------------------------------------------------- reported values
@dataclass(frozen=True)
class Claim:
    """One claim of the paper.

    Attributes:
        claim_id: short stable id.
        summary: the paper's wording, summarised in our words.
        source: where the paper says it (table, figure, section).
        reported: the reported number(s) as fractions / ms, or ``None`` when the paper gives none.
        reported_text: how the paper states the value.
        kind: which audit rule measures it (see :func:`audit_claims`).
        rule: the verdict rule in one sentence.
        corpus: the corpus the paper names for it (``None``: unspecified, audited on every corpus of the run).
        model: the baseline concerned, for baseline claims.
    """

    claim_id: str
    summary: str
    source: str
    reported: Any
    reported_text: str
    kind: str
    rule: str
    corpus: str | None = None
    model: str | None = None


_AT_LEAST = f"reproduced if the value measured under the paper's protocol is >= reported - {TOLERANCE:.2f}"

PAPER_CLAIMS: tuple[Claim, ...] = (
    Claim("accuracy_98_crema_d",
          "The CNN-LSTM with CAEmoCyGAN augmentation reaches 98 % accuracy on CREMA-D "
          "(anger, fear, happiness, sadness, disgust).",
          "Abstract", 0.98, "98 %", "cnn_accuracy", _AT_LEAST, corpus="crema-d"),
    Claim("accuracy_95_75_proposed",
          "The proposed method (MFCC + OSW + augmentation, hybrid CNN-LSTM) reaches 95.75 % accuracy; "
          "the corpus is not stated.",
          "Table 1 (row 'Proposed Method'); Section 5; Conclusion", 0.9575, "95.75 %", "cnn_accuracy", _AT_LEAST),
    Claim("response_time_3_2_ms",
          "The proposed method responds in 3.2 ms (hardware and timing method not stated).",
          "Table 1 (row 'Proposed Method', column 'Response Time'); Section 5", 3.2, "3.2 ms", "latency",
          f"reproduced if the measured median model-forward time is <= 3.2 ms x {1 + LATENCY_TOLERANCE:.2f}"),
    Claim("decision_tree_73",
          "A decision tree on the 16 emotion x gender classes reaches 73 % accuracy "
          "(Figure 5 is a training-set report on 1961 samples).",
          "Section 4.iii; Figure 5 (training statistics, decision tree)", 0.73, "73 % (training set)",
          "eg_train_accuracy", f"reproduced if the training-set accuracy measured under the paper's protocol is within "
          f"+/- {TOLERANCE:.2f} of the reported one (two-sided: a training-set figure describes the fit, so a higher "
          "value is not 'better')", model="decision_tree"),
    Claim("random_forest_95_75",
          "A random forest reaches 95.75 % accuracy.",
          "Section 4.iii", 0.9575, "95.75 %", "eg_test_accuracy",
          _AT_LEAST + " (test accuracy of the random 80/20 split; Figure 6 itself shows 1.00 on the training set)",
          model="random_forest"),
    Claim("random_forest_prf",
          "The random forest has precision 0.99, recall 0.99 and F1 1.0 "
          "(Figure 6: training-set report, macro average 1.00 / 1.00 / 1.00).",
          "Section 4.iii; Figure 6 (training statistics, random forest)", (0.99, 0.99, 1.0),
          "P 0.99 / R 0.99 / F1 1.0 (training set)", "eg_train_prf",
          _AT_LEAST + " for each of macro precision, recall and F1 on the training set", model="random_forest"),
    Claim("cnn_lstm_74_2_vs_tree_70_3",
          "The hybrid CNN-LSTM (74.2 %) is more accurate than the decision-tree baseline (about 70.3 %).",
          "Section 5 (Comparative Analysis)", (0.742, 0.703), "74.2 % vs 70.3 %", "cnn_vs_baseline",
          "reproduced if the CNN-LSTM's measured accuracy is higher than the decision tree's under the paper's "
          "protocol", model="decision_tree"),
    Claim("beats_classical_ml",
          "The hybrid model outperforms classical machine-learning approaches.",
          "Abstract; Conclusion", None, "higher accuracy than classical ML (no number)", "cnn_vs_best_baseline",
          "reproduced if the CNN-LSTM's measured accuracy is higher than that of every classical baseline run "
          "(decision tree, random forest, SVM on MFCC statistics, SVM on eGeMAPS) under the paper's protocol"),
    Claim("noise_robustness",
          "The approach opens the way to more noise-robust implementations (a prospect; background noise is named "
          "as an obstacle the framework addresses, but no noise experiment is reported).",
          "Abstract; Section 1", None, "no number, no noise experiment reported", "noise",
          f"our criterion: reproduced if accuracy at 10 dB SNR is at most {NOISE_MAX_DROP:.2f} below clean "
          "accuracy"),
    Claim("cross_dataset_generalisation",
          "The model generalises across datasets.",
          "Conclusion; Section 1", None, "no number, no cross-corpus experiment reported", "cross_corpus",
          f"our criterion: reproduced if the cross-corpus UAR is at most {CROSS_CORPUS_MAX_DROP:.2f} below the "
          "target corpus's speaker-independent UAR"),
    Claim("gan_noticeable_improvement",
          "CAEmoCyGAN augmentation gives a noticeable improvement, especially for the rarer emotions.",
          "Section 5", None, "'noticeable improvement' (no number)", "gan",
          "our criterion: reproduced if the 95 % CI of the UAR gain (GAN vs no augmentation) is above 0; "
          f"without a CI, if the gain is >= {GAN_MIN_GAIN:.2f} and >= the seed standard deviation"),
    Claim("gan_improves_valence",
          "MFCCs, OSW and CAEmoCyGAN improve the recognition of emotional valence.",
          "Section 5", None, "'improved recognition of emotional valence' (no number)", "gan_valence",
          "our criterion: reproduced if the 95 % CI of the valence UAR gain (GAN vs no augmentation; emotions "
          "grouped into positive / neutral / negative) lies above 0"),
    Claim("gan_helps_rare_emotions",
          "The augmentation helps especially the emotions with fewer recordings.",
          "Section 5", None, "'especially to emotions ... more deficient in quantity' (no number)", "gan_rare",
          "our criterion: reproduced if the recall gain (GAN vs no augmentation) of the rarest emotion is above 0 "
          "and above the mean gain over all emotions"),
    Claim("cnn_lstm_complementary",
          "The CNN and the LSTM complement each other: the hybrid recognises emotions better than either part.",
          "Abstract", None, "complementary advantages of CNNs and LSTMs (no ablation reported)", "complementary",
          "our criterion: reproduced if removing the LSTM (CNN only) and removing the CNN (LSTM only) both lower "
          "the speaker-independent UAR, each with the 95 % CI of the difference below 0 (notebook 04's ablation, "
          "same features, folds and seeds)"),
    Claim("generalises_to_unseen_data",
          "The classifiers learn from the data and generalise to unseen data.",
          "Section 4.iii", None, "stated from training-set accuracy (73 % tree, 95.75 % forest)",
          "eg_unseen_data",
          f"our criterion: reproduced if the forest's accuracy on unseen speakers is at most "
          f"{UNSEEN_SPEAKER_MAX_DROP:.2f} below its training accuracy (the figure the paper reads)",
          model="random_forest"),
    Claim("evaluated_on_iemocap",
          "The approach is evaluated on IEMOCAP (with CREMA-D and TESS).",
          "Section 1; Section 3", None, "named as an evaluation corpus; no IEMOCAP number reported",
          "corpus_evaluated", "not comparable when IEMOCAP is in the run (the paper reports no IEMOCAP number to "
          "compare with); the measured values are shown", corpus="iemocap"),
    Claim("evaluated_on_tess",
          "The approach is evaluated on TESS (with CREMA-D and IEMOCAP).",
          "Section 1; Section 3", None, "named as an evaluation corpus; no TESS number reported",
          "corpus_evaluated", "not comparable when TESS is in the run (the paper reports no TESS number to "
          "compare with); the measured values are shown", corpus="tess"),
    Claim("forest_beats_tree",
          "The random forest (95.75 %) is more accurate than the decision tree (73 %) on the 16 emotion x gender "
          "classes.",
          "Section 4.iii; Figures 5-6", (0.9575, 0.73), "95.75 % vs 73 %", "eg_forest_vs_tree",
          "reproduced if the forest's measured test accuracy is higher than the tree's under the paper's protocol; "
          f"ordering only if either value is more than {TOLERANCE:.2f} from the reported one"),
    Claim("handles_speaker_variability",
          "The framework tackles inter-speaker variability.",
          "Section 1", None, "named as an obstacle the framework tackles (no number)", "speaker_gap",
          f"our criterion: reproduced if the CNN-LSTM's speaker-independent accuracy is at most {SPEAKER_GAP_MAX:.2f} "
          "below its random 80/20 accuracy (test speakers heard in training)"),
    Claim("real_time_capable",
          "The model suits real-time applications.",
          "Conclusion", None, "'appropriate for potentially real-time applications' (no number)", "real_time",
          f"our criterion: reproduced if the median audio-to-emotion time of one clip, divided by the clip's "
          f"duration (real-time factor), is below {REAL_TIME_FACTOR_MAX:g} on this machine's CPU"),
    Claim("beats_deep_learning_table_1",
          "The method outperforms existing deep-learning approaches in accuracy and response time.",
          "Table 1; Figure 7; Section 5", None, "95.75 % and 3.2 ms vs 84.7-93.5 % and 4.7-6.5 ms (Table 1)",
          "vs_literature",
          "not comparable: Table 1's other rows are numbers reported by other works on unstated corpora, protocols "
          "and hardware; our measured values are shown beside the best of them"),
    Claim("overhead_low",
          "The method's overhead is low (Table 1, column 'Overhead').",
          "Table 1 (column 'Overhead')", None, "Low", "overhead",
          "not comparable: the paper does not define overhead; our model's parameters, size and forward time are "
          "shown"),
)

#: The paper's training-set classification reports (reported values), with their source.

_FIG5_DECISION_TREE = """\
angry_female 0.77 0.81 0.79 154
angry_male 0.84 0.86 0.85 158
calm_female 0.81 0.87 0.84 150
calm_male 0.82 0.76 0.79 148
disgust_female 0.52 0.62 0.56 76
disgust_male 0.74 0.68 0.66 83
fearful_female 0.65 0.72 0.68 144
fearful_male 0.65 0.78 0.67 152
happy_female 0.70 0.75 0.72 142
happy_male 0.70 0.74 0.71 155
neutral_female 0.83 0.62 0.71 79
neutral_male 0.75 0.59 0.66 74
sad_female 0.78 0.73 0.75 145
sad_male 0.69 0.75 0.72 151
surprised_female 0.74 0.74 0.74 76
surprised_male 0.85 0.53 0.65 74
accuracy nan nan 0.73 1961
macro avg 0.74 0.71 0.72 1961
weighted avg 0.74 0.73 0.73 1961"""

_FIG6_RANDOM_FOREST = """\
angry_female 1.00 1.00 0.99 154
angry_male 1.00 1.00 1.00 158
calm_female 1.00 1.00 1.00 150
calm_male 0.99 1.00 1.00 148
disgust_female 1.00 0.99 0.99 76
disgust_male 1.00 0.99 0.99 83
fearful_female 0.99 0.99 0.99 144
fearful_male 1.00 1.00 1.00 152
happy_female 1.00 1.00 1.00 142
happy_male 1.00 0.99 1.00 155
neutral_female 1.00 1.00 1.00 79
neutral_male 1.00 1.00 1.00 74
sad_female 0.99 0.99 0.99 145
sad_male 1.00 1.00 1.00 151
surprised_female 1.00 1.00 1.00 76
surprised_male 1.00 1.00 1.00 74
accuracy nan nan 1.00 1961
macro avg 1.00 1.00 1.00 1961
weighted avg 1.00 1.00 1.00 1961"""

REPORTED_TRAINING_REPORTS = {
    "decision_tree": ("Figure 5 (training statistics for the decision tree classifier)", _FIG5_DECISION_TREE),
    "random_forest": ("Figure 6 (training statistics for the random forest classifier)", _FIG6_RANDOM_FOREST),
}


def reported_training_report(model: str) -> pd.DataFrame:
    """The paper's training-set report of ``decision_tree`` (Figure 5) or ``random_forest`` (Figure 6).

    Same layout as :func:`serlib.evaluation.metrics.classification_report_table`: index = classes, then ``accuracy``,
    ``macro avg``, ``weighted avg``; columns ``precision, recall, f1-score, support``. ``attrs["source"]``
    names the figure.
    """
    if model not in REPORTED_TRAINING_REPORTS:
        raise ValueError(f"the paper reports training statistics for {sorted(REPORTED_TRAINING_REPORTS)}, "
                         f"not {model!r}")
    source, text = REPORTED_TRAINING_REPORTS[model]
    rows = {}
    for line in text.splitlines():
        *name, p, r, f, s = line.split()
        rows[" ".join(name)] = [float(p), float(r), float(f), int(s)]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["precision", "recall", "f1-score", "support"])
    table["support"] = table["support"].astype(int)
    table.attrs["source"] = source
    return table


def reported_values_table() -> pd.DataFrame:
    """Every reported value of :data:`PAPER_CLAIMS` with its source (for the notebook)."""
    return pd.DataFrame([{"claim_id": c.claim_id, "claim": c.summary, "reported": c.reported_text,
                          "source": c.source, "verdict rule": c.rule} for c in PAPER_CLAIMS])
