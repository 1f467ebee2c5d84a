namespace MultiCodex.Deployment.Tests.Support;

/// <summary>A fact that needs a Compose command line; skipped, saying so, when none is on PATH.</summary>
public sealed class ComposeCliFactAttribute : FactAttribute
{
    public ComposeCliFactAttribute()
    {
        if (ComposeCli.Found is null)
        {
            Skip = "No Compose command line on PATH (neither docker-compose nor `docker compose`): install it with " +
                   "`apt-get install -y --no-install-recommends docker-compose` to validate docker-compose.yml as Compose reads it. " +
                   "The YAML-level checks ran anyway.";
        }
    }
}

/// <summary>A fact that needs design.md (shared/design.md beside the repository); skipped, saying so, without it.</summary>
public sealed class DesignFactAttribute : FactAttribute
{
    public DesignFactAttribute()
    {
        if (Repo.DesignMdPath is null)
        {
            Skip = "design.md not found (looked for $MULTICODEX_DESIGN_MD, design.md, docs/design.md and ../shared/design.md).";
        }
    }
}

/// <summary>A theory that needs design.md; skipped, saying so, without it.</summary>
public sealed class DesignTheoryAttribute : TheoryAttribute
{
    public DesignTheoryAttribute()
    {
        if (Repo.DesignMdPath is null)
        {
            Skip = "design.md not found (looked for $MULTICODEX_DESIGN_MD, design.md, docs/design.md and ../shared/design.md).";
        }
    }
}

/// <summary>A fact that needs the repository's README.md (where the settings beyond design.md's table are documented).</summary>
public sealed class ReadmeFactAttribute : FactAttribute
{
    public ReadmeFactAttribute()
    {
        if (Repo.ReadmePath is null)
        {
            Skip = "README.md does not exist yet: the settings design.md's table does not list (HOST and the tunables such as " +
                   "USAGE_REFRESH_SECONDS) cannot be checked as documented until it does.";
        }
        else if (Repo.DesignMdPath is null)
        {
            Skip = "design.md not found (looked for $MULTICODEX_DESIGN_MD, design.md, docs/design.md and ../shared/design.md).";
        }
    }
}
