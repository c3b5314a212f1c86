package wiql

import "strings"

// ReferenceName maps a field name as written in WIQL to its reference name:
// friendly names ("Assigned To", "Work Item Type", "ID", "Story Points") and
// reference names in any letter case ("system.state") map to the canonical
// reference name ("System.AssignedTo", "System.WorkItemType", "System.Id",
// "Microsoft.VSTS.Scheduling.StoryPoints", "System.State"). Names it does not
// know, such as custom fields, are returned trimmed and otherwise unchanged.
func ReferenceName(name string) string {
	name = strings.TrimSpace(name)
	if ref := knownField(strings.ToLower(name)); ref != "" {
		return ref
	}
	return name
}

// knownField returns the canonical reference name for a lower-cased friendly
// or reference name, or "".
func knownField(lower string) string {
	switch lower {
	case "id", "system.id":
		return "System.Id"
	case "title", "system.title":
		return "System.Title"
	case "state", "system.state":
		return "System.State"
	case "reason", "system.reason":
		return "System.Reason"
	case "work item type", "system.workitemtype":
		return "System.WorkItemType"
	case "assigned to", "system.assignedto":
		return "System.AssignedTo"
	case "created by", "system.createdby":
		return "System.CreatedBy"
	case "created date", "system.createddate":
		return "System.CreatedDate"
	case "changed by", "system.changedby":
		return "System.ChangedBy"
	case "changed date", "system.changeddate":
		return "System.ChangedDate"
	case "area path", "system.areapath":
		return "System.AreaPath"
	case "area id", "system.areaid":
		return "System.AreaId"
	case "iteration path", "system.iterationpath":
		return "System.IterationPath"
	case "iteration id", "system.iterationid":
		return "System.IterationId"
	case "team project", "system.teamproject":
		return "System.TeamProject"
	case "tags", "system.tags":
		return "System.Tags"
	case "description", "system.description":
		return "System.Description"
	case "history", "system.history":
		return "System.History"
	case "rev", "system.rev":
		return "System.Rev"
	case "parent", "system.parent":
		return "System.Parent"
	case "board column", "system.boardcolumn":
		return "System.BoardColumn"
	case "board column done", "system.boardcolumndone":
		return "System.BoardColumnDone"
	case "board lane", "system.boardlane":
		return "System.BoardLane"
	case "node name", "system.nodename":
		return "System.NodeName"
	case "authorized as", "system.authorizedas":
		return "System.AuthorizedAs"
	case "authorized date", "system.authorizeddate":
		return "System.AuthorizedDate"
	case "revised date", "system.reviseddate":
		return "System.RevisedDate"
	case "comment count", "system.commentcount":
		return "System.CommentCount"
	case "related link count", "system.relatedlinkcount":
		return "System.RelatedLinkCount"
	case "link type", "system.links.linktype":
		return "System.Links.LinkType"
	case "state change date", "microsoft.vsts.common.statechangedate":
		return "Microsoft.VSTS.Common.StateChangeDate"
	case "activated date", "microsoft.vsts.common.activateddate":
		return "Microsoft.VSTS.Common.ActivatedDate"
	case "activated by", "microsoft.vsts.common.activatedby":
		return "Microsoft.VSTS.Common.ActivatedBy"
	case "resolved date", "microsoft.vsts.common.resolveddate":
		return "Microsoft.VSTS.Common.ResolvedDate"
	case "resolved by", "microsoft.vsts.common.resolvedby":
		return "Microsoft.VSTS.Common.ResolvedBy"
	case "resolved reason", "microsoft.vsts.common.resolvedreason":
		return "Microsoft.VSTS.Common.ResolvedReason"
	case "closed date", "microsoft.vsts.common.closeddate":
		return "Microsoft.VSTS.Common.ClosedDate"
	case "closed by", "microsoft.vsts.common.closedby":
		return "Microsoft.VSTS.Common.ClosedBy"
	case "priority", "microsoft.vsts.common.priority":
		return "Microsoft.VSTS.Common.Priority"
	case "severity", "microsoft.vsts.common.severity":
		return "Microsoft.VSTS.Common.Severity"
	case "value area", "microsoft.vsts.common.valuearea":
		return "Microsoft.VSTS.Common.ValueArea"
	case "business value", "microsoft.vsts.common.businessvalue":
		return "Microsoft.VSTS.Common.BusinessValue"
	case "time criticality", "microsoft.vsts.common.timecriticality":
		return "Microsoft.VSTS.Common.TimeCriticality"
	case "risk", "microsoft.vsts.common.risk":
		return "Microsoft.VSTS.Common.Risk"
	case "stack rank", "microsoft.vsts.common.stackrank":
		return "Microsoft.VSTS.Common.StackRank"
	case "backlog priority", "microsoft.vsts.common.backlogpriority":
		return "Microsoft.VSTS.Common.BacklogPriority"
	case "acceptance criteria", "microsoft.vsts.common.acceptancecriteria":
		return "Microsoft.VSTS.Common.AcceptanceCriteria"
	case "rating", "microsoft.vsts.common.rating":
		return "Microsoft.VSTS.Common.Rating"
	case "story points", "microsoft.vsts.scheduling.storypoints":
		return "Microsoft.VSTS.Scheduling.StoryPoints"
	case "effort", "microsoft.vsts.scheduling.effort":
		return "Microsoft.VSTS.Scheduling.Effort"
	case "size", "microsoft.vsts.scheduling.size":
		return "Microsoft.VSTS.Scheduling.Size"
	case "remaining work", "microsoft.vsts.scheduling.remainingwork":
		return "Microsoft.VSTS.Scheduling.RemainingWork"
	case "original estimate", "microsoft.vsts.scheduling.originalestimate":
		return "Microsoft.VSTS.Scheduling.OriginalEstimate"
	case "completed work", "microsoft.vsts.scheduling.completedwork":
		return "Microsoft.VSTS.Scheduling.CompletedWork"
	case "start date", "microsoft.vsts.scheduling.startdate":
		return "Microsoft.VSTS.Scheduling.StartDate"
	case "finish date", "microsoft.vsts.scheduling.finishdate":
		return "Microsoft.VSTS.Scheduling.FinishDate"
	case "target date", "microsoft.vsts.scheduling.targetdate":
		return "Microsoft.VSTS.Scheduling.TargetDate"
	case "due date", "microsoft.vsts.scheduling.duedate":
		return "Microsoft.VSTS.Scheduling.DueDate"
	case "repro steps", "microsoft.vsts.tcm.reprosteps":
		return "Microsoft.VSTS.TCM.ReproSteps"
	case "system info", "microsoft.vsts.tcm.systeminfo":
		return "Microsoft.VSTS.TCM.SystemInfo"
	}
	return ""
}

// isIdentityField reports whether values of the field are identities
// ("Display Name <upn>").
func isIdentityField(ref string) bool {
	switch ref {
	case "System.AssignedTo", "System.CreatedBy", "System.ChangedBy", "System.AuthorizedAs",
		"Microsoft.VSTS.Common.ActivatedBy", "Microsoft.VSTS.Common.ResolvedBy", "Microsoft.VSTS.Common.ClosedBy":
		return true
	}
	return false
}

// isDateField reports whether the field holds dates, so that string values
// stored in it are read as dates.
func isDateField(ref string) bool {
	switch ref {
	case "System.CreatedDate", "System.ChangedDate", "System.AuthorizedDate", "System.RevisedDate",
		"Microsoft.VSTS.Common.StateChangeDate", "Microsoft.VSTS.Common.ActivatedDate",
		"Microsoft.VSTS.Common.ResolvedDate", "Microsoft.VSTS.Common.ClosedDate",
		"Microsoft.VSTS.Scheduling.StartDate", "Microsoft.VSTS.Scheduling.FinishDate",
		"Microsoft.VSTS.Scheduling.TargetDate", "Microsoft.VSTS.Scheduling.DueDate":
		return true
	}
	return false
}

// DefaultCategory returns the work item types of a standard work item type
// category (matched case-insensitively), as used by IN GROUP, and whether
// the category is known.
func DefaultCategory(name string) ([]string, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "microsoft.requirementcategory":
		return []string{"User Story", "Product Backlog Item", "Requirement", "Issue"}, true
	case "microsoft.taskcategory":
		return []string{"Task"}, true
	case "microsoft.bugcategory":
		return []string{"Bug"}, true
	case "microsoft.featurecategory":
		return []string{"Feature"}, true
	case "microsoft.epiccategory":
		return []string{"Epic"}, true
	case "microsoft.testcasecategory":
		return []string{"Test Case"}, true
	case "microsoft.sharedstepcategory":
		return []string{"Shared Steps"}, true
	case "microsoft.sharedparametercategory":
		return []string{"Shared Parameter"}, true
	case "microsoft.testplancategory":
		return []string{"Test Plan"}, true
	case "microsoft.testsuitecategory":
		return []string{"Test Suite"}, true
	case "microsoft.codereviewrequestcategory":
		return []string{"Code Review Request"}, true
	case "microsoft.codereviewresponsecategory":
		return []string{"Code Review Response"}, true
	case "microsoft.feedbackrequestcategory":
		return []string{"Feedback Request"}, true
	case "microsoft.feedbackresponsecategory":
		return []string{"Feedback Response"}, true
	case "microsoft.hiddencategory":
		return []string{"Code Review Request", "Code Review Response", "Feedback Request", "Feedback Response", "Shared Parameter", "Test Plan", "Test Suite"}, true
	}
	return nil, false
}

// canonicalLinkType maps a link type name to its reference name: friendly
// names (Child, Parent, Related, Successor, Predecessor) and reference names
// in any case. Unknown names are returned unchanged.
func canonicalLinkType(name string) string {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "child", "system.linktypes.hierarchy-forward":
		return "System.LinkTypes.Hierarchy-Forward"
	case "parent", "system.linktypes.hierarchy-reverse":
		return "System.LinkTypes.Hierarchy-Reverse"
	case "related", "system.linktypes.related":
		return "System.LinkTypes.Related"
	case "successor", "system.linktypes.dependency-forward":
		return "System.LinkTypes.Dependency-Forward"
	case "predecessor", "system.linktypes.dependency-reverse":
		return "System.LinkTypes.Dependency-Reverse"
	case "duplicate", "system.linktypes.duplicate-forward":
		return "System.LinkTypes.Duplicate-Forward"
	case "duplicate of", "system.linktypes.duplicate-reverse":
		return "System.LinkTypes.Duplicate-Reverse"
	}
	return name
}

// inverseLinkType returns the type of the same link seen from its target:
// -Forward and -Reverse swap, other types are their own inverse.
func inverseLinkType(t string) string {
	if base, ok := strings.CutSuffix(t, "-Forward"); ok {
		return base + "-Reverse"
	}
	if base, ok := strings.CutSuffix(t, "-Reverse"); ok {
		return base + "-Forward"
	}
	return t
}
