import Foundation

/// Hides credentials written literally into text that rbscron did not write and whose secrets it may not hold,
/// such as a pg_cron job's command made by hand (`… headers := '{"Authorization": "Bearer eyJ…"}'`).
///
/// The ``Redactor`` hides the values rbscron knows; this hides what looks like a credential whatever its value:
/// the token after `Bearer `, a JSON Web Token (`eyJ….eyJ….…`, the form of Supabase's anon and service-role keys),
/// and Supabase's secret and access keys (`sb_secret_…`, `sbp_…`). Each becomes ``Redactor/placeholder``.
public enum InlineCredentials {
    public static func mask(_ text: String) -> String {
        let placeholder = Redactor.placeholder
        var out = text.replacing(/(?i)(bearer\s+)[A-Za-z0-9._~+\/=-]{8,}/) { match in match.output.1 + placeholder }
        out = out.replacing(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?/, with: placeholder)
        out = out.replacing(/(sb_secret_|sbp_)[A-Za-z0-9_]{8,}/, with: placeholder)
        return out
    }
}
