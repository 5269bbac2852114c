// Package lint holds the test that keeps the packages code runs in under
// simulation free of what would make a seed's run unrepeatable: the wall
// clock, an unseeded random source and goroutines the scheduler does not
// know. It has no API; its test walks those packages' sources.
package lint
