package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/internal/health"
	"github.com/followup-dev/followup/internal/httplog"
	"github.com/followup-dev/followup/webhooks"
	"github.com/followup-dev/followup/worker"
	"github.com/followup-dev/followup/workflows"
)

func (a *app) devCmd() *cobra.Command {
	var noDemo bool
	var port int
	var ui uiFlags
	c := &cobra.Command{
		Use:   "dev [--no-demo] [--temporal-port 7233] [--ui-port 8233 | --no-ui]",
		Short: a.p.Text("Run everything in one process: Temporal (embedded, persisted), migrations, demo data, worker, HTTP"),
		Long: a.p.Text(`Run followup for development in one process: an embedded Temporal server
persisted to $FOLLOWUP_DATA_DIR/temporal.db (follow-ups survive a restart), the
database migrations, a demo workspace (agents, templates and contacts on every
channel), the worker, and the HTTP server. Channels without credentials run in
the sandbox: their real adapters send to local fake providers, which answer
like the real APIs (followup outbox lists what they accepted), and their
webhooks are verified with the fakes' secrets unless the secret's variable is
set; followup reply posts a signed webhook to simulate a customer's message.
With TEMPORAL_ADDRESS set, the external server is used instead of the embedded one.

While the embedded server runs, its address is in
$FOLLOWUP_DATA_DIR/temporal.addr: the other commands (send, later, status …)
find it there when TEMPORAL_ADDRESS is unset, whatever --temporal-port says.
The data directory and the database, which holds message bodies, are
readable by their owner only.

Beside the embedded server, the Temporal Web UI (as temporal server
start-dev serves it) is on http://127.0.0.1:8233, or the port --ui-port
gives (0 picks a free one); --no-ui turns it off. A port that is taken
stops dev with a message naming these flags. While it runs, its URL is in
$FOLLOWUP_DATA_DIR/ui.url, where followup status finds it to print each
follow-up's page. With TEMPORAL_ADDRESS set there is no embedded UI: set
TEMPORAL_UI_URL to that Temporal's UI for the same links. The UI listens on
loopback only: it has no authentication, and can signal, cancel and
terminate follow-ups.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := ui.check(); err != nil {
				return err
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			// The local Slack workspace's secret lives here even with an
			// external Temporal.
			if err := devserver.MakePrivateDir(a.cfg.DataDir); err != nil {
				return followup.Errorf(followup.EInvalid, "FOLLOWUP_DATA_DIR %s: %v", a.cfg.DataDir, err)
			}
			if _, err := st.Migrate(a.ctx); err != nil {
				return err
			}
			if !noDemo {
				loaded, err := demo.Load(a.ctx, st, timeNow())
				if err != nil {
					return err
				}
				if loaded {
					a.p.Fprintf(a.stdout, "loaded the demo workspace (agents U0DEMOANN and U0DEMOIRA, who reads Russian, supervisor U0DEMOSAM, contacts @demo.followup.dev)\n")
				}
			}
			hostPort, uiURL := a.cfg.TemporalAddress, a.cfg.TemporalUIURL
			if hostPort == "" {
				srv, err := devserver.Start(a.ctx, devserver.Config{
					DataDir: a.cfg.DataDir, Namespace: a.cfg.TemporalNamespace, FrontendPort: port,
					UI: !ui.off, UIPort: ui.port,
					SearchAttributes: workflows.SearchAttributeTypes(),
					Logger:           a.logger(),
				})
				if err != nil {
					return embeddedStartError(err, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), "--temporal-port")
				}
				defer srv.Stop()
				hostPort = srv.FrontendHostPort()
				if u := srv.UIURL(); u != "" {
					uiURL = u
				}
			}
			return a.serveWorker(hostPort, uiURL, true, noDemo, true)
		},
	}
	c.Flags().BoolVar(&noDemo, "no-demo", false, a.p.Text("do not load the demo workspace"))
	c.Flags().IntVar(&port, "temporal-port", 7233, a.p.Text("the embedded Temporal server's gRPC port"))
	ui.bind(a.p, c)
	return c
}

func (a *app) workerCmd() *cobra.Command {
	var sandboxed bool
	c := &cobra.Command{
		Use:   "worker [--sandbox]",
		Short: a.p.Text("Run a worker against TEMPORAL_ADDRESS (production; run several to scale out)"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.config(); err != nil {
				return err
			}
			if a.cfg.TemporalAddress == "" {
				return configErr("TEMPORAL_ADDRESS", "required for `followup worker` (host:port of the Temporal frontend)")
			}
			if _, err := a.store(); err != nil {
				return err
			}
			return a.serveWorker(a.cfg.TemporalAddress, "", false, true, sandboxed)
		},
	}
	c.Flags().BoolVar(&sandboxed, "sandbox", false, a.p.Text("channels without credentials send to local fake providers, as in followup dev (load tests, staging)"))
	return c
}

// serveWorker runs the worker (and in dev the HTTP server) until the
// context ends. uiURL is the Temporal Web UI's, for dev's banner ("" if
// none is known).
func (a *app) serveWorker(hostPort, uiURL string, dev, noDemo, sandboxed bool) error {
	if err := a.observe(); err != nil {
		return err
	}
	o, err := temporalOptions(a.cfg, hostPort)
	if err != nil {
		return err
	}
	c, err := client.DialContext(a.ctx, o)
	if err != nil {
		return followup.Wrapf(followup.EInternal, err, "cannot reach Temporal at %s", hostPort)
	}
	defer c.Close()
	sdkworker.SetStickyWorkflowCacheSize(a.cfg.WorkflowCache)
	chans, err := loadChannels(a.cfg.channelEnv, a.st, dev || sandboxed, a.stdout)
	if err != nil {
		return err
	}
	defer chans.close()
	notifier, err := a.notifier(dev)
	if err != nil {
		return err
	}
	acts := activities.New(a.st, a.cfg.metrics.Senders(chans.senders), notifier)
	if a.cfg.SendLease > 0 {
		acts.Timings.SendLease = a.cfg.SendLease
	}
	fc := workflows.NewClient(c, a.cfg.TemporalTaskQueue)
	acts.Digests = actions.New(a.st, fc, timeNow)
	w := worker.New(c, a.cfg.TemporalTaskQueue, acts, workerOptions())
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	// The daily digest's schedule follows the settings: at start and
	// every few minutes (settings set also updates it at once).
	go a.syncDigest(a.ctx, a.st, fc, digestSyncInterval)
	// Messages a crash left pending are resolved at start and every 15 s.
	go activities.NewReconciler(acts, a.logger()).Run(a.ctx, 15*time.Second)
	if !dev {
		stopMetrics, err := a.serveMetrics()
		if err != nil {
			return err
		}
		defer stopMetrics()
		a.p.Fprintf(a.stdout, "worker polling task queue %q on %s (namespace %s)\n", a.cfg.TemporalTaskQueue, hostPort, a.cfg.TemporalNamespace)
		<-a.ctx.Done()
		return nil
	}
	srv, ln, sl, err := a.httpServer(chans, fc, c, true)
	if err != nil {
		return err
	}
	go srv.Serve(ln) //nolint:errcheck // Serve returns on Shutdown
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		sl.wait()
	}()
	a.banner(hostPort, uiURL, ln.Addr().String(), noDemo, chans, sl)
	<-a.ctx.Done()
	a.p.Fprintf(a.stdout, "\nstopping…\n")
	return nil
}

// httpServer listens on HTTP_ADDR and serves the channels' webhooks, the
// Slack endpoints (when Slack is configured, or locally in dev), the
// webchat widget, liveness, readiness (Postgres and tc, fc's Temporal
// client) and metrics, logging one line per request.
func (a *app) httpServer(chans channelSet, fc *workflows.Client, tc client.Client, dev bool) (*http.Server, net.Listener, slackRunning, error) {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return nil, nil, slackRunning{}, configErr("HTTP_ADDR", "cannot listen on %s: %v", a.cfg.HTTPAddr, err)
	}
	a.httpAddr = ln.Addr().String()
	mux := http.NewServeMux()
	b, scfg, err := a.slackBot(mux, fc, dev)
	if err != nil {
		ln.Close()
		return nil, nil, slackRunning{}, err
	}
	socket := a.runSocketMode(b, scfg)
	webhooks.New(a.st, fc, chans.hooks, a.logger(), a.cfg.metrics).Register(mux)
	mux.Handle("GET /webchat/", webchat.Handler())
	// Liveness checks nothing outside the process: a restart cannot bring
	// Postgres or Temporal back. Readiness checks both.
	mux.Handle("GET /healthz", health.Live())
	mux.Handle("GET /readyz", health.Ready(2*time.Second,
		health.Check{Name: "postgres", Probe: a.st.DB().PingContext},
		health.Check{Name: "temporal", Probe: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	))
	mux.Handle("GET /metrics", a.metricsHandler())
	h := httplog.Handler(mux, a.logger(), "GET /healthz", "GET /readyz", "GET /metrics")
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second},
		ln, slackRunning{bot: b, cfg: scfg, socket: socket}, nil
}

func (a *app) banner(temporalAddr, uiURL, httpAddr string, noDemo bool, chans channelSet, sl slackRunning) {
	sandboxed := make([]string, len(chans.sandboxed))
	for i, ch := range chans.sandboxed {
		sandboxed[i] = string(ch)
	}
	channelsLine := a.p.Sprintf(`sandbox for %s:
             outbound messages go to local fake providers (followup outbox lists them,
             and each is logged here); followup reply posts a signed webhook as the
             provider would`, strings.Join(sandboxed, ", "))
	if len(sandboxed) == 0 {
		channelsLine = a.p.Sprintf("all ten configured")
	}
	uiLine := ""
	if uiURL != "" {
		uiLine = "\n  Web UI     " + workflowsPage(uiURL, a.cfg.TemporalNamespace)
	}
	a.p.Fprintf(a.stdout, `
followup dev is running.
  Temporal   %s (namespace %s; data in %s)%s
  HTTP       http://%s/healthz
  Postgres   %s
  Slack      %s
  Channels   %s

Try it from another terminal:
`, temporalAddr, a.cfg.TemporalNamespace, filepath.Join(a.cfg.DataDir, devserver.DatabaseFile), uiLine, httpAddr, redactURL(a.cfg.DatabaseURL), a.p.Text(sl.describe()), channelsLine)
	if !noDemo {
		a.p.Fprintf(a.stdout, `  followup slash "find jane"                       the Slack command, signed and posted as Slack would
  followup slash "send jane.doe@demo.followup.dev Your refund has landed"
  followup slash --user U0DEMOIRA "find jane"      the same for an agent whose Slack speaks Russian
  followup slash --user U0DEMOSAM vip              the supervisor's running VIP follow-ups
  followup contacts find jane --any                contacts named Jane, open or closed
  followup send jane.doe@demo.followup.dev "Your refund has landed"          WhatsApp, free text
  followup send carlos.ruiz@demo.followup.dev --via whatsapp "Hi"            refused: template only
  followup template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17
  followup send tom.becker@demo.followup.dev --tag POST_PURCHASE_UPDATE "Shipped"
  followup later "Liam Murphy" 2m "Checking in"    then: followup reply "Liam Murphy" webchat "solved"
  followup status jane.doe@demo.followup.dev
  followup outbox; followup notifications
`)
	}
	a.p.Fprintf(a.stdout, "\nCtrl-C stops it; follow-ups resume at the next start.\n")
}

// workerOptions: enough workflow-task pollers that a busy worker is not
// waiting on long polls (a follow-up's first send is one workflow task with
// local activities), and no activity-task pollers, since every activity runs
// locally (measured in docs/BENCHMARKS.md).
func workerOptions() sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentWorkflowTaskPollers: 16,
		LocalActivityWorkerOnly:          true,
	}
}
