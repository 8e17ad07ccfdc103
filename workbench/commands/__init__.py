"""One module per command-line subcommand. Each exposes register(subparsers), which adds its
parser with `func` set to what runs it: run(args) -> int (the exit status), or, for commands
with their own subcommands (`keys`, `endpoints`), one such function per subcommand."""
