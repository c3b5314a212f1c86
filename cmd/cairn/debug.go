package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"
)

// debugAddr checks the address of the debug listener: it must be on the loopback
// interface, so that only someone with a shell on the machine (or a port-forward into
// the pod) reaches it. A bare ":port" binds to 127.0.0.1.
func debugAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("CAIRN_DEBUG_ADDR %q: want host:port such as 127.0.0.1:6060: %v", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("CAIRN_DEBUG_ADDR %q: the debug listener serves profiles of the process and binds to loopback only (127.0.0.1, ::1 or localhost); reach it with ssh -L or kubectl port-forward", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// debugServer serves Go's profiles (net/http/pprof) under /debug/pprof/.
func debugServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// Profiles run for their ?seconds= (30 by default), so the write timeout is generous.
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 5 * time.Minute}
}
