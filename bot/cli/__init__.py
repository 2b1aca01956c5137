"""The command line (`reportbot …`): serve, clock, demo, run, status, token, migrate, cadence."""
