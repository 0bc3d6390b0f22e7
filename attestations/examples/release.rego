# A Rego policy for `provenant verify ... --rego release.rego` (Rego v1 syntax, as OPA 1.0).
# `input` is the report built so far (see rego-input.json beside this file and README "Policy
# files"); every element of `deny` becomes a failed check (rego-denied), of `warn` a warning.
package provenant

# Write rules so that a missing value denies: in Rego an undefined value makes a rule body
# false, so `deny if { x != "public" }` would let a report without x through. object.get with
# a default keeps the rule firing.

# Releases are signed on a tag, never from a branch.
deny contains msg if {
	some s in input.verified_signatures
	s.signer.type == "certificate"
	ref := object.get(s.signer.claims, "source_repository_ref", "(not recorded)")
	not startswith(ref, "refs/tags/")
	msg := sprintf("signed from %s, not from a tag", [ref])
}

# The repository must be public (certificate extension .1.22).
deny contains msg if {
	some s in input.verified_signatures
	s.signer.type == "certificate"
	vis := object.get(s.signer.claims, "source_repository_visibility", "(not recorded)")
	vis != "public"
	msg := sprintf("built from a repository whose visibility is %s", [vis])
}

# Nothing else may have failed (Rego sees the checks made before it).
warn contains msg if {
	count(input.failed) > 0
	msg := sprintf("%d check(s) failed before the Rego policy ran", [count(input.failed)])
}
