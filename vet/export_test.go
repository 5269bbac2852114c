package vet

// Analyze exposes analyze to the tests, which give it an overlay.
var Analyze = analyze
