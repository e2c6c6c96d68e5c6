"""Exit statuses of the command line (README, *Exit statuses*). A module of its own, importing
nothing, so the command line can name them before it imports the pipeline."""

EXIT_OK, EXIT_INVALID, EXIT_INCOMPLETE, EXIT_LAYOUT, EXIT_PUBLISH, EXIT_DROP = 0, 1, 2, 3, 4, 5
EXIT_USAGE = 2  # bad arguments or settings (argparse's own status; nothing started)
