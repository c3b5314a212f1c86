package datasource

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// Guidance shown with each kind of sync error (PRODUCT.md §2, "Errors users must
// understand").
const (
	GuidanceCredentials       = "Open the connection and reconnect it with a new personal access token, or sign in with Microsoft again."
	GuidanceConditionalAccess = "An Azure DevOps organization administrator can turn off the organization's \"Enable Azure AD CAP validation\" setting " +
		"(Organization settings → Security → Policies → Enable Azure Active Directory (Azure AD) Conditional Access Policy Validation), " +
		"or your Microsoft Entra administrator can add Cairn's outbound IP addresses to the conditional access policy or the IP allow-list."
	GuidanceForbidden = "The connection's identity may not read this. Ask an Azure DevOps administrator to grant it read access to work items and queries in the project, or reconnect with an identity that has it."
	GuidanceTooLarge  = "Azure DevOps returns at most 20,000 rows per query. Cairn splits a larger query by work item id ranges on its own; when it cannot, " +
		"edit the query in Azure DevOps so that it returns fewer rows, for example with Area Path Under a team's area, Iteration Path Under a release, " +
		"State <> Closed or Changed Date >= @Today - 365, or split it into several queries and bind one data source to each."
	// GuidanceQueryHidden explains a saved query that the connection's identity cannot read.
	GuidanceQueryHidden = "Azure DevOps answers the same for a deleted query and for one the connection's identity may not read: queries in My Queries are private to the person who saved them, " +
		"and a Shared Queries folder may deny Read. Move the query to Shared Queries, give the connection's identity Read on its folder, or edit the data source to pick another query."
	GuidanceUnavailable = "Azure DevOps did not answer. Cairn keeps the last good values and tries again at the next sync."
	GuidanceDisabled    = "A tenant admin and an organization admin must both turn the Azure DevOps integration on; syncing resumes then."
	GuidanceHost        = "Cairn sends credentials only to Azure DevOps Services (https://dev.azure.com/{organization} or https://{organization}.visualstudio.com) and to the hosts on its allow-list. " +
		"A tenant admin can allow an Azure DevOps Server host on the admin page; an operator can with CAIRN_AZDO_ALLOWED_HOSTS."
)

// classify turns a failed Azure DevOps call into the error a data source shows. what
// names the thing the call was about, such as `the shared query "Shared Queries/Bugs"`.
func classify(err error, what string, now time.Time) *cairn.SyncError {
	e := &cairn.SyncError{At: now.UTC()}
	var ae *azdo.Error
	code := ""
	if errors.As(err, &ae) {
		code = ae.Code
	}
	switch {
	case errors.Is(err, azdo.ErrHostNotAllowed):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrHostNotAllowed,
			"Cairn refused to send the connection's credentials: "+hostReason(err), GuidanceHost
	case errors.Is(err, azdo.ErrUnauthorized):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrCredentials,
			"Azure DevOps no longer accepts this connection's credentials.", GuidanceCredentials
	case errors.Is(err, azdo.ErrConditionalAccess):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrConditionalAccess,
			"Azure DevOps refused the request because of a conditional access policy or an IP allow-list (VS403463).", GuidanceConditionalAccess
	case errors.Is(err, azdo.ErrForbidden):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrForbidden,
			fmt.Sprintf("The connection has no permission to read %s.", what), GuidanceForbidden
	case errors.Is(err, azdo.ErrNotFound):
		msg := fmt.Sprintf("%s no longer exists in Azure DevOps, or the connection cannot see it.", capitalize(what))
		guidance := "Check that it still exists and that the connection's identity can read it; then edit the data source to pick another one."
		switch code {
		case "TF200016":
			msg = "The connection's project no longer exists in Azure DevOps, or it was renamed."
		case "TF401243":
			msg = fmt.Sprintf("%s does not exist in Azure DevOps, or the connection's identity may not read it (TF401243).", capitalize(what))
			guidance = GuidanceQueryHidden
		}
		e.Kind, e.Message, e.Guidance = cairn.SyncErrNotFound, msg, guidance
	case errors.Is(err, azdo.ErrQueryTooLarge):
		msg := fmt.Sprintf("%s returns more than 20,000 work items (VS402337).", capitalize(what))
		var nn *errNotNarrowable
		if errors.As(err, &nn) {
			msg = fmt.Sprintf("%s returns more than Azure DevOps' limit of rows (VS402337), and %s.", capitalize(what), nn.reason)
		}
		e.Kind, e.Message, e.Guidance = cairn.SyncErrTooLarge, msg, GuidanceTooLarge
	case errors.Is(err, azdo.ErrBadRequest):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrInvalid,
			fmt.Sprintf("Azure DevOps refused the request for %s: %s", what, apiMessage(err)),
			"Edit the data source: a work item type, field or query it uses may have been renamed or removed."
	case errors.Is(err, azdo.ErrServer), errors.Is(err, context.DeadlineExceeded), isNetwork(err):
		e.Kind, e.Message, e.Guidance = cairn.SyncErrUnavailable,
			"Azure DevOps did not answer in time or answered with a server error.", GuidanceUnavailable
	default:
		e.Kind, e.Message, e.Guidance = cairn.SyncErrInternal,
			"The sync failed unexpectedly.", "Try again; if it keeps failing, an administrator can find the details in Cairn's log."
	}
	return e
}

// connectionWide reports whether an error affects every data source of the connection,
// so that the sync stops rather than trying each data source in turn.
func connectionWide(err error) bool {
	return errors.Is(err, azdo.ErrUnauthorized) || errors.Is(err, azdo.ErrConditionalAccess) || errors.Is(err, azdo.ErrHostNotAllowed) ||
		errors.Is(err, azdo.ErrServer) || errors.Is(err, azdo.ErrThrottled) || isNetwork(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// hostReason is why the egress policy refused a call, without the package prefix.
func hostReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, azdo.ErrHostNotAllowed.Error()+": "); i >= 0 {
		msg = msg[i+len(azdo.ErrHostNotAllowed.Error())+2:]
	}
	return msg
}

// clientError turns a failure to build a client for orgURL into the error a person sees.
func clientError(orgURL string, err error) error {
	if errors.Is(err, azdo.ErrHostNotAllowed) {
		return cairn.FieldError("organization_url", "Cairn does not send credentials to %s: %s %s", orgURL, hostReason(err), GuidanceHost)
	}
	return cairn.FieldError("organization_url", "cannot reach %s: %v", orgURL, err)
}

func isNetwork(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

func apiMessage(err error) string {
	var ae *azdo.Error
	if errors.As(err, &ae) && ae.Message != "" {
		return ae.Message
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// PATScopes names the scopes a personal access token needs, as Azure DevOps' "New personal
// access token" page labels them.
const PATScopes = "Work Items (Read), Project and Team (Read), and Service Hooks (Read & write) for near-real-time updates"

// newCredentialError turns the failure of a credential's first use (connecting, or listing
// the projects before connecting) into an error. A credential that Azure DevOps refuses has
// never worked, so the error says what may be wrong with it and how to make one that works,
// rather than asking to reconnect. A server older than Azure DevOps Server 2019 is named at
// the organization URL; any other failure reads as apiError's.
func newCredentialError(err error, authType cairn.AuthType, orgURL string) error {
	if errors.Is(err, azdo.ErrServerTooOld) {
		return serverTooOld(orgURL)
	}
	if !errors.Is(err, azdo.ErrUnauthorized) {
		return apiError(err, "the organization "+orgURL)
	}
	var msg string
	switch authType {
	case cairn.AuthClientCredentials:
		msg = fmt.Sprintf("Azure DevOps at %s did not accept the service principal. Check the tenant id, client id and client secret, and that the service principal was added as a user of the Azure DevOps organization with access to the project.", orgURL)
	case cairn.AuthOAuth:
		msg = fmt.Sprintf("Azure DevOps at %s did not accept your Microsoft sign-in. Sign in again with an account that is a member of the organization.", orgURL)
	default:
		msg = fmt.Sprintf("Azure DevOps at %s did not accept this personal access token: it may be mistyped, expired, revoked, or made for another organization. "+
			"Create a token for this organization with the scopes %s, and paste it here.", orgURL, PATScopes)
	}
	return &cairn.Error{Code: cairn.EINVALID, Field: "azure_devops." + cairn.SyncErrCredentials, Message: msg}
}

// serverTooOld is the error for an organization URL whose server's REST API is older
// than azdo.MinAPIVersion, such as Team Foundation Server 2018.
func serverTooOld(orgURL string) error {
	return cairn.FieldError("organization_url",
		"%s runs a REST API older than %s: Cairn works with Azure DevOps Server 2019 and newer", orgURL, azdo.MinAPIVersion)
}

// apiError turns a failed Azure DevOps call made for a person (verifying a connection,
// a lookup, a preview) into a cairn.Error with the same guidance a data source shows.
func apiError(err error, what string) error {
	if err == nil {
		return nil
	}
	var ce *cairn.Error
	if errors.As(err, &ce) {
		return err
	}
	se := classify(err, what, time.Now())
	code := cairn.EUNAVAILABLE
	switch se.Kind {
	case cairn.SyncErrHostNotAllowed:
		return &cairn.Error{Code: cairn.EINVALID, Field: "organization_url", Message: se.Message + " " + se.Guidance}
	case cairn.SyncErrCredentials, cairn.SyncErrConditionalAccess, cairn.SyncErrForbidden, cairn.SyncErrInvalid, cairn.SyncErrTooLarge:
		code = cairn.EINVALID
	case cairn.SyncErrNotFound:
		code = cairn.EINVALID
	case cairn.SyncErrInternal:
		return cairn.Internal("azure devops: "+what, err)
	}
	return &cairn.Error{Code: code, Field: "azure_devops." + se.Kind, Message: se.Message + " " + se.Guidance}
}
