package cairn

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Cairn sends Azure DevOps credentials only to Azure DevOps Services and to the hosts that
// the operator (CAIRN_AZDO_ALLOWED_HOSTS) or a tenant admin allowed: an Azure DevOps Server,
// or an emulator. Everything else, including loopback, private and link-local addresses, is
// refused at every call (see azdo.Egress).

// AllowedHostsSetting is the settings key of the hosts a tenant admin allowed.
const AllowedHostsSetting = "integrations.azure_devops.allowed_hosts"

// maxAllowedHosts bounds the tenant's allow-list.
const maxAllowedHosts = 50

// NormalizeHostEntry checks one allow-list entry, a host ("tfs.example.com") or a host and
// port ("127.0.0.1:8090"), and returns it in lower case. A URL, a path, a wildcard, or a
// link-local, multicast or unspecified address is refused with a message that says what an
// entry looks like.
func NormalizeHostEntry(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", fmt.Errorf("an allowed host is empty")
	}
	if strings.Contains(e, "://") || strings.ContainsAny(e, "/?#@*, \t\r\n") {
		return "", fmt.Errorf("%q is not a host or host:port, like tfs.example.com or 127.0.0.1:8090", s)
	}
	host, port := e, ""
	if h, p, err := net.SplitHostPort(e); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
			return "", fmt.Errorf("%q has a bad port", s)
		}
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" || strings.ContainsAny(host, "[]") {
		return "", fmt.Errorf("%q has no host", s)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() || a.IsMulticast() {
			return "", fmt.Errorf("%q is a link-local, multicast or unspecified address, which Cairn never calls", s)
		}
		host = a.String()
	} else if strings.Contains(host, ":") {
		return "", fmt.Errorf("%q is not a host or host:port; write an IPv6 address with a port as [::1]:8090", s)
	}
	if port == "" {
		return host, nil
	}
	return net.JoinHostPort(host, port), nil
}

// ParseHostList reads a comma-separated allow-list, as CAIRN_AZDO_ALLOWED_HOSTS holds it,
// normalizing each entry and dropping repeats.
func ParseHostList(s string) ([]string, error) {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		e, err := NormalizeHostEntry(part)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// AllowedHosts returns the hosts a tenant admin allowed. It needs no signed-in user: the
// sync engine reads it before every call to Azure DevOps.
func (s *Service) AllowedHosts(ctx context.Context) ([]string, error) {
	v, err := s.store.Setting(ctx, AllowedHostsSetting)
	if ErrorCode(err) == ENOTFOUND {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseHostList(v)
}

// SetAllowedHosts replaces the hosts the tenant allows credentials to reach; only tenant
// admins may. Every entry is checked, and a bad one changes nothing.
func (s *Service) SetAllowedHosts(ctx context.Context, hosts []string) ([]string, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if !u.TenantAdmin {
		return nil, Errorf(EFORBIDDEN, "only a tenant admin may change the hosts that Azure DevOps credentials may reach")
	}
	if len(hosts) > maxAllowedHosts {
		return nil, FieldError("allowed_hosts", "at most %d allowed hosts", maxAllowedHosts)
	}
	out := []string{}
	for i, h := range hosts {
		e, err := NormalizeHostEntry(h)
		if err != nil {
			return nil, FieldError(fmt.Sprintf("allowed_hosts[%d]", i), "%v", err)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if err := s.store.SetSetting(ctx, AllowedHostsSetting, strings.Join(out, ",")); err != nil {
		return nil, err
	}
	return out, nil
}
