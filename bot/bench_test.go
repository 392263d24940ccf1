package bot_test

import (
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// BenchmarkSlashAck measures how long Slack waits for the answer to a
// signed slash command while 100 arrive at once: `find` (answered inline
// from Postgres) and `send` (acknowledged, then answered through
// response_url once the follow-up has sent). PRODUCT.md §8: p99 ≤ 100 ms.
func BenchmarkSlashAck(b *testing.B) {
	for _, cmd := range []string{`find jan --any`, `send jane.doe@example.com "bench"`} {
		b.Run(cmd[:4], func(b *testing.B) {
			e := newEnv(b)
			const concurrent = 100
			var lat []time.Duration
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				var mu sync.Mutex
				reqs := make([]*http.Request, concurrent)
				for i := range reqs {
					reqs[i] = signed(e.http.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", e.commandForm(annID, cmd), time.Now())
				}
				for _, r := range reqs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						start := time.Now()
						resp, err := http.DefaultClient.Do(r)
						d := time.Since(start)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("status %d", resp.StatusCode)
						}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}()
				}
				wg.Wait()
			}
			b.StopTimer()
			e.bot.Wait()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(len(lat)), "requests")
		})
	}
}
