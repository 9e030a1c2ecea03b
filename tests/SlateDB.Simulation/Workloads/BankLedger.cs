using System.Globalization;

namespace SlateDB.Simulation.Workloads;

/// <summary>
/// The bank's keys and its ledger check. Accounts are <c>bank/a/NN</c> holding a balance (an absent account holds
/// <see cref="Initial"/>); every committed transfer also writes a record <c>bank/t/ID.ATTEMPT</c> = <c>from&gt;to:amount</c>
/// in the same transaction. So any set of rows read at one sequence must balance: each account holds
/// <see cref="Initial"/> plus what the records present move into it minus what they move out of it. A partial transfer
/// (one balance without the other, or the balances without the record) breaks that equation; a lost update (two
/// transfers from one balance) breaks it too, as does any change of the total.
/// </summary>
internal static class BankLedger
{
    public const string Prefix = "bank/";
    public const int Accounts = 6;
    public const long Initial = 100;
    private const string AccountPrefix = "bank/a/";
    private const string RecordPrefix = "bank/t/";

    public static string Account(int index) => AccountPrefix + index.ToString("D2", CultureInfo.InvariantCulture);

    public static string Record(long transfer, int attempt) =>
        RecordPrefix + transfer.ToString("D5", CultureInfo.InvariantCulture) + "." + attempt.ToString(CultureInfo.InvariantCulture);

    public static string RecordValue(int from, int to, long amount) => FormattableString.Invariant($"{from}>{to}:{amount}");

    public static bool IsRecord(string key) => key.StartsWith(RecordPrefix, StringComparison.Ordinal);

    /// <summary>A balance as stored; an absent account holds the initial balance.</summary>
    public static long Balance(string? value) => value is null ? Initial : long.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>Null when the rows balance; otherwise what is wrong.</summary>
    public static string? Check(IReadOnlyDictionary<string, string> rows)
    {
        var net = new long[Accounts];
        var balances = new long[Accounts];
        Array.Fill(balances, Initial);
        var records = 0;
        foreach (var (key, value) in rows)
        {
            if (key.StartsWith(AccountPrefix, StringComparison.Ordinal)
                && int.TryParse(key.AsSpan(AccountPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < Accounts
                && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var balance))
            {
                balances[index] = balance;
            }
            else if (IsRecord(key) && ParseRecord(value) is { } record)
            {
                records++;
                net[record.From] -= record.Amount;
                net[record.To] += record.Amount;
            }
            else
            {
                return $"a row the bank never writes: {key}={value}";
            }
        }

        var total = balances.Sum();
        for (var i = 0; i < Accounts; i++)
        {
            if (balances[i] != Initial + net[i])
            {
                return $"the ledger does not balance (a partial transfer or a lost update is visible): {Account(i)} holds {balances[i]}, the {records} transfer records present give {Initial + net[i]} (total {total} of {Initial * Accounts}; {Describe(rows)})";
            }

            if (balances[i] < 0)
            {
                return $"{Account(i)} holds {balances[i]}: a transfer moved money that was not there ({Describe(rows)})";
            }
        }

        return total == Initial * Accounts ? null : $"the total is {total}, not {Initial * Accounts} ({Describe(rows)})";
    }

    private static (int From, int To, long Amount)? ParseRecord(string value)
    {
        var arrow = value.IndexOf('>', StringComparison.Ordinal);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return arrow > 0 && colon > arrow
            && int.TryParse(value.AsSpan(0, arrow), NumberStyles.None, CultureInfo.InvariantCulture, out var from) && from < Accounts
            && int.TryParse(value.AsSpan(arrow + 1, colon - arrow - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to) && to < Accounts
            && long.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            ? (from, to, amount)
            : null;
    }

    private static string Describe(IReadOnlyDictionary<string, string> rows) =>
        string.Join(", ", rows.Where(r => r.Key.StartsWith(AccountPrefix, StringComparison.Ordinal)).Select(r => $"{r.Key}={r.Value}"))
        + $"; {rows.Count(r => IsRecord(r.Key))} records";
}
