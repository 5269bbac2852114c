package sim

import "context"

// Cause is context.Cause for simulated contexts: why ctx was cancelled
// (ErrShutdown at the end of a run, context.DeadlineExceeded for an expired
// deadline), or nil while it is not. The standard library's context.Cause
// cannot see the cause of a context it did not make.
func Cause(ctx context.Context) error {
	if c, _ := ctx.Value(simCtxKey{}).(*simCtx); c != nil && c.Done() == ctx.Done() {
		if arg := c.causeArg(); arg != nil {
			return arg
		}
		return c.Err()
	}
	return context.Cause(ctx)
}

// The causes of a context's cancellation, other than its error itself,
// which is most often its cause: a byte in the context, and the rare cause
// of another kind (a foreign parent's, through context.WithCancelCause)
// in a table of the World, which a context keeps no field for.
const (
	causeErr      = iota // the cause is the error
	causeShutdown        // ErrShutdown
	causeOdd             // in w.oddCause
)

// setCause records why c was cancelled: cause, or its error if nil.
func (c *simCtx) setCause(cause error) {
	switch {
	case cause == nil || (cause == context.Canceled || cause == context.DeadlineExceeded) && cause == c.Err():
		c.cause = causeErr
	case cause == ErrShutdown:
		c.cause = causeShutdown
	default:
		c.cause = causeOdd
		if c.w.oddCause == nil {
			c.w.oddCause = make(map[*simCtx]error)
		}
		c.w.oddCause[c] = cause
	}
}

// causeArg returns c's cause as cancel takes it: nil when it is c's error.
func (c *simCtx) causeArg() error {
	switch c.cause {
	case causeShutdown:
		return ErrShutdown
	case causeOdd:
		return c.w.oddCause[c]
	}
	return nil
}
