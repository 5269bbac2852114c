package bank

// Another package named assert: its calls are not ours.
import "github.com/stretchr/testify/assert"

func other(t assert.TestingT) {
	assert.Always(t, true, "testify has no Always")
}
