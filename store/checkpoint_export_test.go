package store

// CheckpointsTried is the number of background checkpoints tried so far
// (SQLite), so a test can tell one ran.
func (s *Store) CheckpointsTried() uint64 { return s.ckpt.runs.Load() }
