<?php
// Differential-testing oracle: answers questions about composer/semver's
// behaviour for oracle_test.go. Not used by normal test runs.
//
// Usage: COMPOSER_SEMVER_SRC=/path/to/composer/semver/src php oracle.php
// Protocol (one request per stdin line, one answer per stdout line):
//   request: OP <TAB> hex(arg1) <TAB> hex(arg2) ...
//   answer:  ok <TAB> hex(result) [<TAB> hex(result2)]  |  err <TAB> hex(class) <TAB> hex(message)
// Lists (for sort) are hex items joined by ",".

use Composer\Semver\Comparator;
use Composer\Semver\Constraint\Constraint;
use Composer\Semver\Semver;
use Composer\Semver\VersionParser;

ini_set('display_errors', 'stderr');
error_reporting(E_ALL);
set_error_handler(function ($no, $str) { throw new ErrorException($str, 0, $no); });

$src = getenv('COMPOSER_SEMVER_SRC');
spl_autoload_register(function ($class) use ($src) {
    $prefix = 'Composer\\Semver\\';
    if (strpos($class, $prefix) === 0) {
        require $src . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    }
});

function branchVersion(VersionParser $p, $branch) {
    // Mirrors composer's VcsRepository branch handling.
    $parsed = $p->normalizeBranch($branch);
    $p->parseConstraints($parsed);
    if (strpos($parsed, 'dev-') === 0 || '9999999-dev' === $parsed) {
        return array('dev-' . str_replace('#', '+', $branch), str_replace('#', '+', $parsed));
    }
    $prefix = strpos($branch, 'v') === 0 ? 'v' : '';
    return array($prefix . preg_replace('{(\.9{7})+}', '.x', $parsed), $parsed);
}

$p = new VersionParser();
$out = fopen('php://stdout', 'w');
while (($line = fgets(STDIN)) !== false) {
    $line = rtrim($line, "\n");
    $f = explode("\t", $line);
    $op = $f[0];
    $a = array();
    for ($i = 1; $i < count($f); $i++) {
        $a[] = hex2bin($f[$i]);
    }
    try {
        switch ($op) {
            case 'normalize': $r = array($p->normalize($a[0])); break;
            case 'normalize2': $r = array($p->normalize($a[0], $a[1])); break;
            case 'normalizeBranch': $r = array($p->normalizeBranch($a[0])); break;
            case 'stability': $r = array(VersionParser::parseStability($a[0])); break;
            case 'alias': $x = $p->parseNumericAliasPrefix($a[0]); $r = array($x === false ? 'false' : 'str:' . $x); break;
            case 'parse': $c = $p->parseConstraints($a[0]); $r = array((string) $c, $c->getPrettyString()); break;
            case 'satisfies': $r = array(Semver::satisfies($a[0], $a[1]) ? '1' : '0'); break;
            case 'match': $r = array($p->parseConstraints($a[0])->matches(new Constraint('==', $a[1])) ? '1' : '0'); break;
            case 'matchc': $r = array($p->parseConstraints($a[0])->matches($p->parseConstraints($a[1])) ? '1' : '0'); break;
            case 'vcmp': $r = array((string) version_compare($a[0], $a[1])); break;
            case 'cmp3': $r = array(Comparator::lessThan($a[0], $a[1]) ? '-1' : (Comparator::greaterThan($a[0], $a[1]) ? '1' : '0')); break;
            case 'comparator': $r = array(Comparator::compare($a[0], $a[1], $a[2]) ? '1' : '0'); break;
            case 'sort':
            case 'rsort':
                $list = $a[0] === '' ? array() : array_map('hex2bin', explode(',', $a[0]));
                $s = $op === 'sort' ? Semver::sort($list) : Semver::rsort($list);
                $r = array(implode(',', array_map('bin2hex', $s)));
                break;
            case 'branch': $r = branchVersion($p, $a[0]); break;
            case 'andsplit': $r = array(implode(',', array_map('bin2hex', preg_split('{(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)}', $a[0])))); break;
            case 'incr': $m = $a[0]; $m += 1; $r = array((string) $m); break;
            default: throw new RuntimeException('unknown op ' . $op);
        }
        // sort results are already hex-encoded item lists
        fwrite($out, 'ok' . ($op === 'sort' || $op === 'rsort' || $op === 'andsplit' ? "\t" . $r[0] : "\t" . implode("\t", array_map('bin2hex', $r))) . "\n");
    } catch (\Throwable $e) {
        fwrite($out, "err\t" . bin2hex(get_class($e)) . "\t" . bin2hex($e->getMessage()) . "\n");
    }
    fflush($out);
}
