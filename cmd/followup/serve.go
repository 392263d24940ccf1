package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
)

func (a *app) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server (Slack, channel webhooks, webchat widget, health, metrics) for production",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
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
			srv, ln, sl, err := a.httpServer(chans, fc, false)
			if err != nil {
				return err
			}
			defer sl.wait()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			fmt.Fprintf(a.stdout, "serving on http://%s (webhooks for %d channel(s), %s, healthz, metrics)\n", ln.Addr(), len(chans.hooks), sl.describe())
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

// metricsHandler serves Prometheus metrics of this process.
func metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
