// What a code host's API says about a repository, in the one shape the rest of shadowscan reads.

export type HostKind = 'github' | 'gitlab';

/** Whose repositories: a GitHub organisation or user, or a GitLab group (its subgroups included). */
export interface HostTarget {
  kind: HostKind;
  scope: 'org' | 'user' | 'group';
  /** The organisation, user or group (a GitLab group by its full path, `parent/child`). */
  name: string;
  /** The API's base URL: https://api.github.com, https://HOST/api/v3, https://gitlab.com/api/v4, https://HOST/api/v4. */
  apiUrl: string;
}

export interface HostedRepository {
  /** `owner/repo` (GitHub full_name) or the project's full path (GitLab path_with_namespace). */
  name: string;
  /** The HTTPS clone URL the API gives (GitHub clone_url, GitLab http_url_to_repo). */
  cloneUrl: string;
  /** GitHub `fork`; GitLab: the project has `forked_from_project`. */
  fork?: boolean;
  archived?: boolean;
}

export const DEFAULT_API_URL: Record<HostKind, string> = { github: 'https://api.github.com', gitlab: 'https://gitlab.com/api/v4' };
