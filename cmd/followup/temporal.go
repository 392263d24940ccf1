package main

import (
	"crypto/tls"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/workflows"
)

// DefaultTemporalAddress is where the embedded server listens unless told
// otherwise, and where commands look for Temporal when TEMPORAL_ADDRESS is
// unset and no server records its address in FOLLOWUP_DATA_DIR.
const DefaultTemporalAddress = "127.0.0.1:7233"

// temporalOptions builds client options from the configuration. The
// address is hostPort if given, else TEMPORAL_ADDRESS, else the one the
// embedded server running on FOLLOWUP_DATA_DIR (followup dev or followup
// temporal, on whatever port) recorded there, else DefaultTemporalAddress.
func temporalOptions(cfg Config, hostPort string) (client.Options, error) {
	if hostPort == "" {
		hostPort = cfg.TemporalAddress
	}
	if hostPort == "" && cfg.DataDir != "" {
		hostPort, _ = devserver.Address(cfg.DataDir)
	}
	if hostPort == "" {
		hostPort = DefaultTemporalAddress
	}
	// The SDK logs through the product's logger; its workflow and
	// activity loggers add WorkflowID and RunID to every line.
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := client.Options{HostPort: hostPort, Namespace: cfg.TemporalNamespace, Logger: log.NewStructuredLogger(logger),
		// The SDK's metrics (temporal_*) and the follow-up workflow's
		// counters land on the process's registry (nil: none).
		MetricsHandler: cfg.metrics.Temporal()}
	if cfg.TemporalTLSCert != "" {
		kp, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return o, configErr("TEMPORAL_TLS_CERT", "cannot load the key pair: %v", err)
		}
		o.ConnectionOptions.TLS = &tls.Config{Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
	}
	if cfg.TemporalAPIKey != "" {
		o.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
		if o.ConnectionOptions.TLS == nil {
			o.ConnectionOptions.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	return o, nil
}

// temporal connects to Temporal on first use.
func (a *app) temporal() (*workflows.Client, error) {
	if a.fc != nil {
		return a.fc, nil
	}
	if err := a.config(); err != nil {
		return nil, err
	}
	o, err := temporalOptions(a.cfg, "")
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(a.ctx, o)
	if err != nil {
		return nil, followup.Wrapf(followup.EInternal, err, "cannot reach Temporal at %s (is `followup dev` running, or TEMPORAL_ADDRESS set?)", o.HostPort)
	}
	a.tc = c
	a.fc = workflows.NewClient(c, a.cfg.TemporalTaskQueue)
	return a.fc, nil
}

// temporalLazy is a client that connects on first use, for servers that
// must start (and answer health checks) while Temporal is still coming up;
// a webhook that cannot reach it answers 503 and the provider retries.
func (a *app) temporalLazy() (*workflows.Client, error) {
	if err := a.config(); err != nil {
		return nil, err
	}
	o, err := temporalOptions(a.cfg, "")
	if err != nil {
		return nil, err
	}
	c, err := client.NewLazyClient(o)
	if err != nil {
		return nil, &followup.Error{Code: followup.EInternal, Message: "cannot create the Temporal client", Err: err}
	}
	a.tc = c
	a.fc = workflows.NewClient(c, a.cfg.TemporalTaskQueue)
	return a.fc, nil
}
