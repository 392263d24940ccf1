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
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

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
	// WorkerOptions and WorkflowCache are the product worker's: the bare
	// workflows' worker, in this process, gets the same.
	WorkerOptions sdkworker.Options
	WorkflowCache int
	// NoBare skips the anchor: bare workflows started and signalled in
	// the same run, alternating with the follow-ups.
	NoBare bool
	// CSV, when set, is a file the figures are appended to (one row per
	// run, a header first when the file is new).
	CSV string
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
	bare := bareClient{c: c, queue: queue + "-bare", run: run}
	if !b.NoBare {
		bc, err := b.Dial(ctx, hostPort)
		if err != nil {
			return err
		}
		defer bc.Close()
		if b.WorkflowCache > 0 {
			sdkworker.SetStickyWorkflowCacheSize(b.WorkflowCache)
		}
		stop, err := startBareWorker(bc, bare.queue, b.WorkerOptions)
		if err != nil {
			return err
		}
		defer stop()
	}

	rounds := 1
	if !b.NoBare {
		rounds = min(10, n)
	}
	fmt.Fprintf(b.Out, "starting %d follow-ups with %d concurrent starters (worker pid %d)…\n", n, conc, wcmd.Process.Pid)
	if !b.NoBare {
		fmt.Fprintf(b.Out, "and %d bare workflows (no-op, same update-with-start, own task queue in this process), in %d alternating rounds…\n", n, rounds)
	}
	product := starts{lat: make([]time.Duration, n)}
	anchor := starts{lat: make([]time.Duration, n)}
	startFollowUp := func(i int) error {
		id := first + int64(i)
		out, err := fc.Send(ctx, workflows.Input{ContactID: id, Channel: followup.WhatsApp, AgentID: agent.ID, AgentSlack: "UBENCH"},
			workflows.SendRequest{AgentID: agent.ID, Text: "Your refund has landed."}, "bench-"+strconv.FormatInt(id, 10))
		if err == nil && out.Outcome != workflows.OutcomeSent {
			err = fmt.Errorf("%+v", out)
		}
		if err != nil {
			return fmt.Errorf("follow-up %d: %w", id, err)
		}
		return nil
	}
	startBare := func(i int) error {
		if err := bare.start(ctx, int64(i)); err != nil {
			return fmt.Errorf("bare workflow %d: %w", i, err)
		}
		return nil
	}
	// Rounds alternate which goes first, so that both see the same load
	// from outside and the same number of running workflows.
	for r := 0; r < rounds; r++ {
		from, to := n*r/rounds, n*(r+1)/rounds
		if r%2 == 0 || b.NoBare {
			product.run(conc, from, to, startFollowUp, b.Err)
		}
		if !b.NoBare {
			anchor.run(conc, from, to, startBare, b.Err)
		}
		if r%2 == 1 && !b.NoBare {
			product.run(conc, from, to, startFollowUp, b.Err)
		}
	}
	res := Result{N: n, Concurrency: conc, StartsPerSec: product.rate(n), Start: quantiles(product.lat)}
	fmt.Fprintf(b.Out, "\nstarted and sent: %d in %s = %.0f follow-ups/s (failed %d); per follow-up p50 %s p95 %s p99 %s\n",
		n, product.elapsed.Round(time.Millisecond), res.StartsPerSec, product.failed, ms(res.Start.P50), ms(res.Start.P95), ms(res.Start.P99))
	if !b.NoBare {
		res.BareStartsPerSec, res.BareStart = anchor.rate(n), quantiles(anchor.lat)
		fmt.Fprintf(b.Out, "bare workflows started: %d in %s = %.0f starts/s (failed %d); per start p50 %s p95 %s p99 %s\n",
			n, anchor.elapsed.Round(time.Millisecond), res.BareStartsPerSec, anchor.failed, ms(res.BareStart.P50), ms(res.BareStart.P95), ms(res.BareStart.P99))
		fmt.Fprintf(b.Out, "ratio: follow-ups/s ÷ bare starts/s = %.2f (goal ≥ 0.9)\n", res.StartsPerSec/res.BareStartsPerSec)
	}

	time.Sleep(5 * time.Second) // let the worker settle with everything waiting
	rss, hwm := procMem(wcmd.Process.Pid)
	fmt.Fprintf(b.Out, "worker with %d follow-ups waiting on timers: RSS %s (peak %s)\n", n, rss, hwm)

	if replies > n {
		replies = n
	}
	rl := make([]time.Duration, 0, replies)
	bl := make([]time.Duration, 0, replies)
	for i := 0; i < replies; i++ {
		id := first + int64(i)*int64(n/replies)
		at := time.Now().UTC()
		d, err := roundTrip(ctx, func() error {
			_, err := fc.Reply(ctx, id, followup.WhatsApp, workflows.Reply{At: at, Preview: "thanks"})
			return err
		}, func() (bool, error) {
			stt, err := fc.State(ctx, id, followup.WhatsApp)
			return !stt.LastInbound.Before(at), err
		})
		if err != nil {
			return err
		}
		rl = append(rl, d)
		if b.NoBare {
			continue
		}
		// The same round trip on the bare workflow of the same rank, at
		// once, so that both see the same load.
		j := int64(i) * int64(n/replies)
		at = time.Now().UTC()
		d, err = roundTrip(ctx, func() error { return bare.signal(ctx, j, at) }, func() (bool, error) {
			last, err := bare.last(ctx, j)
			return !last.Before(at), err
		})
		if err != nil {
			return fmt.Errorf("bare workflow %d: %w", j, err)
		}
		bl = append(bl, d)
	}
	res.Replies, res.Reply = len(rl), quantiles(rl)
	fmt.Fprintf(b.Out, "reply signal → visible in the state query (%d replies): p50 %s p95 %s p99 %s\n",
		len(rl), ms(res.Reply.P50), ms(res.Reply.P95), ms(res.Reply.P99))
	if len(bl) > 0 {
		res.BareReply = quantiles(bl)
		fmt.Fprintf(b.Out, "bare signal → visible in a query (%d signals, with %d bare and %d follow-ups running): p50 %s p95 %s p99 %s\n",
			len(bl), n, n, ms(res.BareReply.P50), ms(res.BareReply.P95), ms(res.BareReply.P99))
		fmt.Fprintf(b.Out, "ratio: reply → state p95 ÷ bare p95 = %.2f (goal ≤ 1.2)\n", float64(res.Reply.P95)/float64(max(res.BareReply.P95, time.Microsecond)))
	}
	if replies > 0 {
		replySplit(ctx, b.Out, c, "reply", workflows.WorkflowID(first+int64(replies-1)*int64(n/replies), followup.WhatsApp))
		if !b.NoBare {
			replySplit(ctx, b.Out, c, "bare signal", bare.id(int64(replies-1)*int64(n/replies)))
		}
	}
	if replies > 0 {
		var pids, bids []string
		for i := 0; i < replies; i++ {
			pids = append(pids, workflows.WorkflowID(first+int64(i)*int64(n/replies), followup.WhatsApp))
			bids = append(bids, bare.id(int64(i)*int64(n/replies)))
		}
		scheduleToStart(ctx, b.Out, c, "replies", pids)
		if !b.NoBare {
			scheduleToStart(ctx, b.Out, c, "bare signals", bids)
		}
	}
	if b.CSV != "" {
		if err := res.appendCSV(b.CSV); err != nil {
			return err
		}
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
func replySplit(ctx context.Context, out io.Writer, c client.Client, what, workflowID string) {
	events, err := afterLastSignal(ctx, c, workflowID)
	if err != nil {
		fmt.Fprintf(out, "reply split: %v\n", err)
		return
	}
	if len(events) == 0 {
		return
	}
	t0 := events[0].GetEventTime().AsTime()
	var sb strings.Builder
	for _, e := range events[1:] {
		fmt.Fprintf(&sb, " → %s +%s", strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_"), ms(e.GetEventTime().AsTime().Sub(t0)))
	}
	fmt.Fprintf(out, "the last %s in %s's history: signaled%s\n", what, workflowID, sb.String())
}

// scheduleToStart prints, over every workflow in ids, the time between the
// workflow task that the last signal scheduled and its start (a poller was
// handed the task), and the time from that start to the task's completion
// (the worker's share).
func scheduleToStart(ctx context.Context, out io.Writer, c client.Client, what string, ids []string) {
	var sched, work []time.Duration
	for _, id := range ids {
		events, err := afterLastSignal(ctx, c, id)
		if err != nil {
			fmt.Fprintf(out, "%s: %v\n", what, err)
			return
		}
		var scheduled, started time.Time
		for _, e := range events {
			t := e.GetEventTime().AsTime()
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
				scheduled = t
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
				started = t
				sched = append(sched, t.Sub(scheduled))
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				work = append(work, t.Sub(started))
			}
			if !started.IsZero() && len(work) == len(sched) {
				break
			}
		}
	}
	fmt.Fprintf(out, "%s, over %d: task scheduled → started p50 %s p95 %s; started → completed p50 %s p95 %s\n",
		what, len(sched), ms(percentile(sched, 50)), ms(percentile(sched, 95)), ms(percentile(work, 50)), ms(percentile(work, 95)))
}

// afterLastSignal is a workflow's history from its last signal on.
func afterLastSignal(ctx context.Context, c client.Client, workflowID string) ([]*historypb.HistoryEvent, error) {
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			events = events[:0]
		}
		events = append(events, e)
	}
	if len(events) == 0 || events[0].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
		return nil, nil
	}
	return events, nil
}
