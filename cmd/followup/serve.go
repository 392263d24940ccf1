package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup/metrics"
)

func (a *app) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: a.p.Text("Run the HTTP server (Slack, channel webhooks, webchat widget, health, metrics) for production"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			if err := a.observe(); err != nil {
				return err
			}
			chans, err := loadChannels(a.cfg.channelEnv, st, false, a.stdout)
			if err != nil {
				return err
			}
			defer chans.close()
			fc, err := a.temporalLazy()
			if err != nil {
				return err
			}
			srv, ln, sl, err := a.httpServer(chans, fc, a.tc, false)
			if err != nil {
				return err
			}
			defer sl.wait()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			fmt.Fprintf(a.stdout, "serving on http://%s (webhooks for %d channel(s), %s, healthz, readyz, metrics)\n", ln.Addr(), len(chans.hooks), sl.describe())
			select {
			case <-a.ctx.Done():
			case err := <-errc:
				return fmt.Errorf("http server: %w", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(ctx)
		},
	}
}

// observe builds the process's metrics once: the registry that /metrics
// serves, with the backlog gauges read from Postgres at scrape time, which
// the Temporal client and worker (temporalOptions), the senders, the
// webhooks and the bot count into.
func (a *app) observe() error {
	if a.cfg.metrics != nil {
		return nil
	}
	m, err := metrics.New()
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if err := m.WatchBacklog(a.st); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	a.cfg.metrics = m
	return nil
}

// metricsHandler serves the process's Prometheus metrics.
func (a *app) metricsHandler() http.Handler {
	if err := a.observe(); err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	}
	return a.cfg.metrics.Handler()
}

// serveMetrics serves /metrics on METRICS_ADDR, the worker's one HTTP
// endpoint, until stop is called; with METRICS_ADDR unset, nothing.
func (a *app) serveMetrics() (stop func(), err error) {
	if a.cfg.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, configErr("METRICS_ADDR", "cannot listen on %s: %v", a.cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // Serve returns on Shutdown
	fmt.Fprintf(a.stdout, "metrics on http://%s/metrics\n", ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
