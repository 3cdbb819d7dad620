// Fault matrix: placeholder (issue 14), filled in by its owner.
