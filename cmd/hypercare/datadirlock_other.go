//go:build !unix

package main

// dataDirLock is a no-op where flock(2) does not exist: there the operator
// must make sure only one server uses a SQLite data directory.
type dataDirLock struct{}

func lockDataDir(string) (*dataDirLock, error) { return &dataDirLock{}, nil }

func (*dataDirLock) release() {}
