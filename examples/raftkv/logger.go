package raftkv

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/orrerysim/orrery/env"
)

// logger is raft's Logger on the host's slog.Logger, a level lower than
// raft's own: raft tells at Info what a cluster does all the time
// (elections, leaders), which is Debug to the operator of the store.
// Messages are formatted only when their level is enabled.
type logger struct{ l *slog.Logger }

func newLogger(e env.Env) logger { return logger{l: e.Log().With("pkg", "raft")} }

func (g logger) log(level slog.Level, format string, v []any) {
	if !g.l.Enabled(context.Background(), level) {
		return
	}
	if format == "" {
		g.l.Log(context.Background(), level, fmt.Sprint(v...))
		return
	}
	g.l.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

func (g logger) Debug(v ...any)                   { g.log(slog.LevelDebug, "", v) }
func (g logger) Debugf(format string, v ...any)   { g.log(slog.LevelDebug, format, v) }
func (g logger) Info(v ...any)                    { g.log(slog.LevelDebug, "", v) }
func (g logger) Infof(format string, v ...any)    { g.log(slog.LevelDebug, format, v) }
func (g logger) Warning(v ...any)                 { g.log(slog.LevelInfo, "", v) }
func (g logger) Warningf(format string, v ...any) { g.log(slog.LevelInfo, format, v) }
func (g logger) Error(v ...any)                   { g.log(slog.LevelWarn, "", v) }
func (g logger) Errorf(format string, v ...any)   { g.log(slog.LevelWarn, format, v) }
func (g logger) Fatal(v ...any)                   { panic(fmt.Sprint(v...)) }
func (g logger) Fatalf(format string, v ...any)   { panic(fmt.Sprintf(format, v...)) }
func (g logger) Panic(v ...any)                   { panic(fmt.Sprint(v...)) }
func (g logger) Panicf(format string, v ...any)   { panic(fmt.Sprintf(format, v...)) }
