<?php
// Differential oracle for TestExcludeMatchesComposer: evaluates exclude
// rules with Composer's own BaseExcludeFilter::generatePattern and
// preg_match, exactly as BaseExcludeFilter::filter does. The only change is
// the documented one: a rule with a trailing '/' matches a file path only
// through one of its parent directories.
//
// Usage: php composer_exclude.php /usr/share/php/Composer/autoload.php
//   stdin:  [{"rules": ["..."], "paths": [["/a/b", false], ...]}, ...]
//   stdout: [[true, false, ...], ...]
require $argv[1];

class Oracle extends \Composer\Package\Archiver\BaseExcludeFilter
{
    public function __construct()
    {
        parent::__construct('/');
    }

    public function gen(string $rule): array
    {
        return $this->generatePattern($rule);
    }
}

$oracle = new Oracle();
$cases = json_decode(stream_get_contents(STDIN), true);
$out = [];
foreach ($cases as $case) {
    $patterns = [];
    foreach ($case['rules'] as $rule) {
        [$re, $negate] = $oracle->gen($rule);
        $body = trim(ltrim($rule, '!'), '/');
        $dirOnly = substr(ltrim($rule, '!'), -1) === '/' && $body !== '';
        $patterns[] = [$re, $negate, $dirOnly];
    }
    $results = [];
    foreach ($case['paths'] as [$path, $isDir]) {
        $exclude = false;
        foreach ($patterns as [$re, $negate, $dirOnly]) {
            if ($dirOnly && !$isDir) {
                $re = substr($re, 0, -strlen('(?=$|/)}')) . '(?=/)}';
            }
            if (@preg_match($re, $path) === 1) {
                $exclude = !$negate;
            }
        }
        $results[] = $exclude;
    }
    $out[] = $results;
}
echo json_encode($out);
