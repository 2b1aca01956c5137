"""Background work: the broker and actors, the tick and the clock, generating and delivering runs
(`delivery/`), plain-words cadences (`cadence/`), alerts (`alerts/`), who may do what (`access`,
`policy`), and everything people read in Slack (`views/`). Imports reports and storage only."""
