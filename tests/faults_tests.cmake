# The fault matrix (issue 14): the daemon under injected faults on a devnet of its own; each case records
# what the relayer did, whether anything was lost and how long it took to recover (docs/RELIABILITY.md).
