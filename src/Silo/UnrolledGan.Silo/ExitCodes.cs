namespace UnrolledGan.Silo;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The silo stopped on a fault, or the database's schema is not the one this build needs.</summary>
    public const int Failed = 1;

    /// <summary>A setting is wrong: the message names it.</summary>
    public const int BadInput = 2;
}
