"""Models (notebooks 04, 05): estimators with ``fit`` / ``predict`` on frame features or functionals.

- :mod:`serlib.models.cnn_lstm` - the paper's architecture: OSW windows -> CNN -> LSTM.
- :mod:`serlib.models.conv_recurrent` - the whole-utterance CNN-BiLSTM family (the strong hybrid).
- :mod:`serlib.models.classical` - decision tree, random forest and RBF-SVM (scikit-learn)."""
