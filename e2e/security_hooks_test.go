package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSecurityHookFlood floods one connection's service-hook receiver of a running
// `cairn serve` with 5,000 deliveries that carry a wrong secret, and a body over 1 MiB,
// while a person keeps loading the OKR page. Wrong secrets get 401 until the connection's
// burst is spent and 429 with Retry-After after it, the large body gets 413, and every page
// load succeeds; the page's p95 during the flood is logged.
func TestSecurityHookFlood(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	api := s.adminAPI(t)
	st, body := api.call(t, "GET", "/api/v1/orgs/fabrikam/connections", nil)
	var conns struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &conns); err != nil || st != 200 || len(conns.Items) == 0 {
		t.Fatalf("the demo's connections: %d %s", st, body)
	}
	hookURL := fmt.Sprintf("%s/hooks/azure-devops/%d", s.base, conns.Items[0].ID)

	// A person signed in to the UI.
	jar, _ := cookiejar.New(nil)
	person := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	cred, _ := json.Marshal(map[string]string{"email": s.email, "password": s.password})
	res, err := person.Post(s.base+"/api/v1/auth/login", "application/json", bytes.NewReader(cred))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", err, res)
	}
	res.Body.Close()

	big, _ := http.NewRequest("POST", hookURL, strings.NewReader(`{"pad":"`+strings.Repeat("x", 1<<20)+`"}`))
	big.SetBasicAuth("cairn", "whatever")
	big.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(big); err != nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a delivery over 1 MiB: %v %v, want 413", err, res)
	}

	var unauthorized, limited, other atomic.Int64
	var retryAfter atomic.Value
	work := make(chan struct{})
	var wg sync.WaitGroup
	flood := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: 30 * time.Second}
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				req, _ := http.NewRequest("POST", hookURL, strings.NewReader(`{"eventType":"workitem.updated"}`))
				req.SetBasicAuth("cairn", "a-guess")
				req.Header.Set("Content-Type", "application/json")
				res, err := flood.Do(req)
				if err != nil {
					other.Add(1)
					continue
				}
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusUnauthorized:
					unauthorized.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
					retryAfter.Store(res.Header.Get("Retry-After"))
				default:
					other.Add(1)
				}
			}
		}()
	}
	var pages []time.Duration
	var pageErr atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			res, err := person.Get(s.base + "/o/fabrikam/okrs")
			if err != nil {
				pageErr.Store(err.Error())
				return
			}
			res.Body.Close()
			pages = append(pages, time.Since(start))
			if res.StatusCode != 200 {
				pageErr.Store(fmt.Sprintf("the OKR page during the flood: %d", res.StatusCode))
				return
			}
		}
	}()
	started := time.Now()
	for range 5000 {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(started)
	close(stop)
	<-done
	if e := pageErr.Load(); e != nil {
		t.Fatal(e)
	}
	if other.Load() != 0 || unauthorized.Load()+limited.Load() != 5000 {
		t.Fatalf("401 %d, 429 %d, other %d", unauthorized.Load(), limited.Load(), other.Load())
	}
	// The burst is 200 and the bucket refills at 20 a second while the flood lasts.
	if max := int64(200 + 20*elapsed.Seconds() + 20); unauthorized.Load() > max {
		t.Fatalf("%d deliveries reached the secret check in %v, want at most %d", unauthorized.Load(), elapsed, max)
	}
	if ra, _ := retryAfter.Load().(string); ra == "" || ra == "0" {
		t.Fatalf("a 429 without Retry-After: %q", ra)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i] < pages[j] })
	if len(pages) == 0 {
		t.Fatal("no page load finished during the flood")
	}
	t.Logf("flood of 5,000 deliveries in %v: %d reached the secret check, %d got 429; %d OKR page loads meanwhile, p50 %v, p95 %v, max %v",
		elapsed.Round(time.Millisecond), unauthorized.Load(), limited.Load(), len(pages), pages[len(pages)/2], pages[len(pages)*95/100], pages[len(pages)-1])
}
