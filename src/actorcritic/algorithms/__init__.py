"""One module per algorithm, named after it; each holds the algorithm's
frozen config and its ``train_*`` function."""
