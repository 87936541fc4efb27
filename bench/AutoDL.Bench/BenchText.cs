using System.Globalization;
using System.Runtime.InteropServices;

namespace AutoDL.Bench;

/// <summary>What every benchmark shares: reading its options, formatting its figures, finding the repository, limiting native threads.</summary>
internal static class BenchText
{
    /// <summary>A share as a percentage with <paramref name="decimals"/> decimals.</summary>
    public static string Pct(double share, int decimals = 1) =>
        (share * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    public static string PassFail(bool pass) => pass ? "PASS" : "FAIL";

    public static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>The number after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
    public static double Option(string[] args, string name, double fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

    /// <summary>The repository root: the nearest folder above the running assembly (or the working folder) with AutoDL.sln.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AutoDL.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (AutoDL.sln) above the benchmark.");
    }

    /// <summary>Sets an environment variable in the C runtime (libtorch's OpenMP and MKL read it when they load, not .NET's copy).</summary>
    [DllImport("libc", EntryPoint = "setenv")]
    public static extern int SetEnv(string name, string value, int overwrite);
}
