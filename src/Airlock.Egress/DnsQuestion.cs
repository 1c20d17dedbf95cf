namespace Airlock.Egress;

/// <summary>The one question of a DNS query; <see cref="End"/> is where it ends in the message (answers follow it).</summary>
internal readonly record struct DnsQuestion(ushort Id, string Name, ushort Type, ushort Class, int End, bool Recursive);
