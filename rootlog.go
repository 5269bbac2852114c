package orrery

import (
	"context"
	"log/slog"
	"time"
)

// logInfo is log.Info(msg, args...) without the record's program counter
// and wall-clock time, which the World's handler does not read and which
// slog finds for every record it builds, the first by unwinding the stack
// (runtime.Callers). A record without a time is one whose handler leaves
// the time out, as slog's own do.
func logInfo(log *slog.Logger, msg string, args ...any) {
	ctx := context.Background()
	if !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, msg, 0)
	r.Add(args...)
	_ = log.Handler().Handle(ctx, r)
}
