package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger adapts a slog.Logger to the Temporal server's logger.
type slogLogger struct {
	log *slog.Logger
}

var (
	_ log.Logger      = slogLogger{}
	_ log.WithLogger  = slogLogger{}
	_ log.SLogWrapper = slogLogger{}
)

func (l slogLogger) Debug(msg string, tags ...tag.Tag)  { l.emit(slog.LevelDebug, msg, tags) }
func (l slogLogger) Info(msg string, tags ...tag.Tag)   { l.emit(slog.LevelInfo, msg, tags) }
func (l slogLogger) Warn(msg string, tags ...tag.Tag)   { l.emit(slog.LevelWarn, msg, tags) }
func (l slogLogger) Error(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l slogLogger) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }

// Panic and Fatal panic with a fatalError: the server's code does not
// expect them to return (it goes on with a nil listener after "Failed to
// start gRPC listener", for one), but exiting would take followup down
// with it. Start turns the panic back into an error.
func (l slogLogger) Panic(msg string, tags ...tag.Tag) { l.fatal(msg, tags) }
func (l slogLogger) Fatal(msg string, tags ...tag.Tag) { l.fatal(msg, tags) }

func (l slogLogger) fatal(msg string, tags []tag.Tag) {
	l.emit(slog.LevelError, msg, tags)
	panic(fatalError{msg: msg, tags: tags})
}

// fatalError is what the server logged as fatal.
type fatalError struct {
	msg  string
	tags []tag.Tag
}

func (e fatalError) Error() string {
	var b strings.Builder
	b.WriteString(e.msg)
	for _, t := range e.tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return b.String()
}

// recoverFatal turns a fatalError panic into *err; other panics go on.
func recoverFatal(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(fatalError)
		if !ok {
			panic(r)
		}
		*err = f
	}
}

// With returns a logger that adds tags to every record.
func (l slogLogger) With(tags ...tag.Tag) log.Logger {
	return slogLogger{log: slog.New(l.log.Handler().WithAttrs(attrs(tags)))}
}

// SLog lets server components that log through slog share the level filter.
func (l slogLogger) SLog() *slog.Logger { return l.log }

func (l slogLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !l.log.Enabled(ctx, level) {
		return // skip converting tags for records that are dropped
	}
	l.log.LogAttrs(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, len(tags))
	for i, t := range tags {
		out[i] = slog.Any(t.Key(), t.Value())
	}
	return out
}

// levelHandler drops records below min, and every record once quiet is set,
// before they reach next.
type levelHandler struct {
	min   slog.Leveler
	quiet *atomic.Bool
	next  slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return !h.quiet.Load() && level >= h.min.Level() && h.next.Enabled(ctx, level)
}

func (h levelHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.next.Handle(ctx, r)
}

func (h levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return levelHandler{min: h.min, quiet: h.quiet, next: h.next.WithAttrs(as)}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{min: h.min, quiet: h.quiet, next: h.next.WithGroup(name)}
}
