namespace Airlock.Core.Tests.Policy;

/// <summary>The policy of DESIGN.md, as YAML and as the same document in JSON.</summary>
internal static class PolicyExamples
{
    public const string DesignYaml = """
        isolation: { minimum: gvisor }            # refuse rather than downgrade
        limits:    { cpus: 1, memory: 512m, pids: 256, disk: 1g, timeout: 10m, egress_rate: 10mbit }
        network:
          allow: [ "pypi.org", "*.pythonhosted.org", "api.stripe.com:443" ]
          # everything else: denied, including DNS for names not allowed
        secrets:
          STRIPE_KEY: { from: env:STRIPE_KEY, hosts: [ "api.stripe.com" ] }  # sandbox sees a placeholder
        files:
          - { path: /workspace, access: read-write }
          - { path: /data,      access: read-only }
        tools:
          deny:     [ "rm -rf /*" ]
          approval: [ "git push *", "network:new-host", "files:delete:/workspace/**" ]
        anomalies:
          - { when: "egress_denied > 20 in 1m", then: pause }
        """;

    public const string DesignJson = """
        {
          "isolation": { "minimum": "gvisor" },
          "limits": { "cpus": 1, "memory": "512m", "pids": 256, "disk": "1g", "timeout": "10m", "egress_rate": "10mbit" },
          "network": {
            "allow": ["pypi.org", "*.pythonhosted.org", "api.stripe.com:443"]
          },
          "secrets": {
            "STRIPE_KEY": { "from": "env:STRIPE_KEY", "hosts": ["api.stripe.com"] }
          },
          "files": [
            { "path": "/workspace", "access": "read-write" },
            { "path": "/data", "access": "read-only" }
          ],
          "tools": {
            "deny": ["rm -rf /*"],
            "approval": ["git push *", "network:new-host", "files:delete:/workspace/**"]
          },
          "anomalies": [
            { "when": "egress_denied > 20 in 1m", "then": "pause" }
          ]
        }
        """;
}
