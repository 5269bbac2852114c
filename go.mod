module github.com/orrerysim/orrery

go 1.26
