"""The command's exit codes (DESIGN.md): scripts and cron jobs branch on them."""

EXIT_OK, EXIT_FINDINGS, EXIT_NOT_AUDITED, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # the shell's codes for SIGINT and SIGTERM

INTERRUPTED = "已中断。"
"""What a run stopped by Ctrl-C or SIGTERM says on stderr, wherever it stops (entry.py, boundary.py)."""
