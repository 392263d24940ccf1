package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// Followups is the follow-ups benchmark: it starts an embedded Temporal
// server (file-backed SQLite, as followup dev; or uses TemporalAddress)
// and a worker in a child process, creates N WhatsApp contacts whose
// window is open, starts N follow-ups that each send their first message,
// and reports throughput and latency. The follow-ups then wait on their
// window timers: the worker's memory (RSS) is read with all N waiting.
// Finally it signals Replies replies and measures how long until the
// state query shows them. Run it against a scratch database: it adds N
// contacts.
type Followups struct {
	N, Concurrency, Replies int
	// TemporalAddress is the Temporal to use; empty starts an embedded one.
	TemporalAddress string
	// Dial connects a client to the Temporal at hostPort.
	Dial func(ctx context.Context, hostPort string) (client.Client, error)
	// Worker is the worker process to start against the Temporal at
	// hostPort, polling queue (followup worker --sandbox).
	Worker func(ctx context.Context, hostPort, queue string) *exec.Cmd
	// CPUProfile, when set, is where the profile of the starters is written.
	CPUProfile string
	// Out gets the report, Err the first failures.
	Out, Err io.Writer
}

// Run runs the benchmark against the store's database.
func (b Followups) Run(ctx context.Context, st *store.Store) error {
	n, conc, replies := b.N, b.Concurrency, b.Replies
	fmt.Fprintf(b.Out, "creating %d contacts…\n", n)
	agent, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "UBENCH", Name: "Bench"})
	if err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var first int64
	err = st.DB().GetContext(ctx, &first, `
		WITH c AS (
			INSERT INTO contacts (first_name, last_name, email, email_key, first_key, last_key, full_key)
			SELECT 'Bench', 'Contact ' || i, 'bench-' || $2 || '-' || i || '@example.com', 'bench-' || $2 || '-' || i || '@example.com', 'bench', 'contact ' || i, 'bench contact ' || i
			FROM generate_series(1, $1) i RETURNING id),
		ids AS (INSERT INTO identities (contact_id, channel, external_id, last_inbound_at)
			SELECT id, 'whatsapp', 'bench-' || $2 || '-' || id, now() - interval '1 hour' FROM c RETURNING contact_id)
		SELECT min(contact_id) FROM ids`, n, run)
	if err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}

	dir, err := os.MkdirTemp("", "followup-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	hostPort := b.TemporalAddress
	if hostPort == "" {
		srv, err := devserver.Start(ctx, devserver.Config{DataDir: dir, SearchAttributes: workflows.SearchAttributeTypes(),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		defer srv.Stop()
		hostPort = srv.FrontendHostPort()
	}
	queue := "bench-" + run
	wcmd := b.Worker(ctx, hostPort, queue)
	wlog, _ := os.Create(filepath.Join(dir, "worker.log"))
	wcmd.Stdout, wcmd.Stderr = wlog, wlog
	if err := wcmd.Start(); err != nil {
		return fmt.Errorf("start the worker process: %w", err)
	}
	defer func() { _ = wcmd.Process.Signal(os.Interrupt); _ = wcmd.Wait() }()

	c, err := b.Dial(ctx, hostPort)
	if err != nil {
		return err
	}
	defer c.Close()
	fc := workflows.NewClient(c, queue)

	if path := b.CPUProfile; path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(b.Out, "starting %d follow-ups with %d concurrent starters (worker pid %d)…\n", n, conc, wcmd.Process.Pid)
	lat := make([]time.Duration, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				id := first + i
				s := time.Now()
				out, err := fc.Send(ctx, workflows.Input{ContactID: id, Channel: followup.WhatsApp, AgentID: agent.ID, AgentSlack: "UBENCH"},
					workflows.SendRequest{AgentID: agent.ID, Text: "Your refund has landed."}, "bench-"+strconv.FormatInt(id, 10))
				lat[i] = time.Since(s)
				if err != nil || out.Outcome != workflows.OutcomeSent {
					if failed.Add(1) <= 3 {
						fmt.Fprintf(b.Err, "follow-up %d: %+v %v\n", id, out, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	fmt.Fprintf(b.Out, "\nstarted and sent: %d in %s = %.0f follow-ups/s (failed %d); per follow-up p50 %s p95 %s p99 %s\n",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), failed.Load(), ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99)))

	time.Sleep(5 * time.Second) // let the worker settle with everything waiting
	rss, hwm := procMem(wcmd.Process.Pid)
	fmt.Fprintf(b.Out, "worker with %d follow-ups waiting on timers: RSS %s (peak %s)\n", n, rss, hwm)

	if replies > n {
		replies = n
	}
	rl := make([]time.Duration, 0, replies)
	for i := 0; i < replies; i++ {
		id := first + int64(i)*int64(n/replies)
		at := time.Now().UTC()
		s := time.Now()
		if _, err := fc.Reply(ctx, id, followup.WhatsApp, workflows.Reply{At: at, Preview: "thanks"}); err != nil {
			return err
		}
		for {
			stt, err := fc.State(ctx, id, followup.WhatsApp)
			if err != nil {
				return err
			}
			if !stt.LastInbound.Before(at) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		rl = append(rl, time.Since(s))
	}
	fmt.Fprintf(b.Out, "reply signal → visible in the state query (%d replies): p50 %s p95 %s p99 %s\n",
		len(rl), ms(percentile(rl, 50)), ms(percentile(rl, 95)), ms(percentile(rl, 99)))
	if replies > 0 {
		replySplit(ctx, b.Out, c, workflows.WorkflowID(first+int64(replies-1)*int64(n/replies), followup.WhatsApp))
	}
	return nil
}

// procMem reads a process's resident set size and its peak from /proc.
func procMem(pid int) (rss, peak string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?", "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			rss = fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		case "VmHWM:":
			peak = fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return rss, peak
}

// replySplit prints where the last reply's time went, from the follow-up's
// history: signal → workflow task scheduled → started (a worker took it)
// → completed (the reply handled, its notification recorded).
func replySplit(ctx context.Context, out io.Writer, c client.Client, workflowID string) {
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			fmt.Fprintf(out, "reply split: %v\n", err)
			return
		}
		events = append(events, e)
	}
	last := -1
	for i, e := range events {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			last = i
		}
	}
	if last < 0 {
		return
	}
	t0 := events[last].GetEventTime().AsTime()
	var sb strings.Builder
	for _, e := range events[last+1:] {
		fmt.Fprintf(&sb, " → %s +%s", strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_"), ms(e.GetEventTime().AsTime().Sub(t0)))
	}
	fmt.Fprintf(out, "the last reply in %s's history: signaled%s\n", workflowID, sb.String())
}
